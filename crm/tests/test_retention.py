"""Retention (crm/retention.py): read notifications and old exports go, by windows of ids; unread
notifications stay however old; the days are rules an admin edits in the admin."""
import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from crm import retention
from crm.models import ExportJob, Notification, Rule
from crm.rules import forget

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=TZ)


def _notice(user, *, made: dt.datetime, read: bool, title="通知"):
    note = Notification.objects.create(recipient=user, title=title)
    Notification.objects.filter(pk=note.pk).update(created_at=made, read_at=made if read else None)
    return note.pk


def _longest_id_list(statements) -> int:
    """The longest list of placeholders inside an IN (…) of the statements run."""
    lists = [m.group(1).count("%s") for sql in statements for m in re.finditer(r'(?:"id"|_id") IN \(([^()]*)\)', sql)]
    return max(lists, default=0)


class _Statements(list):
    def __call__(self, execute, sql, params, many, context):
        self.append(sql)
        return execute(sql, params, many, context)


def test_read_notifications_older_than_the_rule_go_in_windows_and_unread_ones_stay(make_user, monkeypatch):
    monkeypatch.setattr(retention, "CHUNK_SIZE", 3)
    user = make_user("cs_staff")
    # 180 days (民法典 art. 201): made on 06-03, kept to the end of 11-30, gone on 12-01
    old = dt.datetime(2026, 6, 3, 18, 0, tzinfo=TZ)
    kept_day = dt.datetime(2026, 6, 4, 0, 0, tzinfo=TZ)
    gone = [_notice(user, made=old - dt.timedelta(days=i), read=True) for i in range(8)]
    unread = [_notice(user, made=old - dt.timedelta(days=400), read=False) for _ in range(2)]
    recent = [_notice(user, made=kept_day, read=True), _notice(user, made=NOW, read=True)]
    statements = _Statements()
    with connection.execute_wrapper(statements):
        assert retention.notifications_purge_read(now=NOW) == len(gone)
    assert sorted(Notification.objects.values_list("pk", flat=True)) == sorted(unread + recent)
    deletes = [sql for sql in statements if sql.startswith("DELETE")]
    assert len(deletes) >= len(gone) // 3 and _longest_id_list(statements) <= 3
    assert retention.notifications_purge_read(now=NOW) == 0  # a second run finds nothing


def test_an_admin_sets_how_long_read_notifications_are_kept_and_zero_keeps_them(make_user, client):
    user = make_user("cs_staff")
    admin = make_user("admin")
    ten_days = _notice(user, made=NOW - dt.timedelta(days=12), read=True)
    year = _notice(user, made=NOW - dt.timedelta(days=365), read=True)
    assert retention.notifications_purge_read(now=NOW) == 1  # 180 days by default
    assert list(Notification.objects.values_list("pk", flat=True)) == [ten_days]
    client.force_login(admin)
    rule = Rule.objects.get(key="crm.notification_keep_days")
    response = client.post(reverse("admin:crm_rule_change", args=[rule.pk]), {"value": "0"})
    assert response.status_code == 302
    assert Rule.objects.get(pk=rule.pk).value == 0
    assert retention.notifications_purge_read(now=NOW) == 0
    client.post(reverse("admin:crm_rule_change", args=[rule.pk]), {"value": "10"})
    assert Rule.objects.get(pk=rule.pk).value == 10
    assert retention.notifications_purge_read(now=NOW) == 1
    assert not Notification.objects.exists()
    assert year not in Notification.objects.values_list("pk", flat=True)


def test_a_one_day_rule_deletes_what_was_read_before_yesterday(make_user, client):
    """1 is a number of days like any other (only 0 keeps everything): made on 11-29, one day
    ends at the end of 11-30, so on 12-01 it goes; made on 11-30 it stays the day."""
    user = make_user("cs_staff")
    client.force_login(make_user("admin"))
    rule = Rule.objects.get(key="crm.notification_keep_days")
    client.post(reverse("admin:crm_rule_change", args=[rule.pk]), {"value": "1"})
    assert Rule.objects.get(pk=rule.pk).value == 1
    _notice(user, made=dt.datetime(2026, 11, 29, 23, 0, tzinfo=TZ), read=True)
    kept = _notice(user, made=dt.datetime(2026, 11, 30, 8, 0, tzinfo=TZ), read=True)
    assert retention.notifications_purge_read(now=NOW) == 1
    assert list(Notification.objects.values_list("pk", flat=True)) == [kept]


def test_with_nothing_old_enough_a_run_deletes_nothing_and_says_zero(make_user):
    user = make_user("cs_staff")
    recent = [_notice(user, made=NOW - dt.timedelta(days=2), read=True),
              _notice(user, made=NOW - dt.timedelta(days=400), read=False)]
    assert retention.notifications_purge_read(now=NOW) == 0
    assert retention.delete_by_id_windows(Notification.objects.filter(title="无此通知")) == 0
    assert sorted(Notification.objects.values_list("pk", flat=True)) == sorted(recent)


def test_windows_are_consecutive_runs_of_ids_up_to_the_upper_id_and_no_further(make_user):
    """Ids 1…6 of the table in windows of 2: up to id 3, the windows [1, 2] and [3] (4 stays
    although it matches); then, from the table's first id (4) up to id 5: the one window [4, 5]
    and no empty one after it; 6 stays. Each window sees only its own ids."""
    user = make_user("cs_staff")
    ids = [_notice(user, made=NOW, read=True) for _ in range(6)]
    windows = []

    def purge(upper):
        return retention.delete_by_id_windows(
            Notification.objects.all(), upper_pk=upper, chunk_size=2,
            before_delete=lambda window: windows.append(sorted(window.values_list("pk", flat=True))))

    assert purge(ids[2]) == 3 and windows == [ids[0:2], ids[2:3]]
    assert sorted(Notification.objects.values_list("pk", flat=True)) == ids[3:]
    windows.clear()
    assert purge(ids[4]) == 2 and windows == [ids[3:5]]
    assert list(Notification.objects.values_list("pk", flat=True)) == ids[5:]


def test_the_nightly_job_purges_read_notifications_once_from_the_command_line(make_user, capsys, settings):
    user = make_user("cs_staff")
    _notice(user, made=dt.datetime.now(TZ) - dt.timedelta(days=400), read=True)
    keep = _notice(user, made=dt.datetime.now(TZ) - dt.timedelta(days=400), read=False)
    assert settings.CELERY_BEAT_SCHEDULE["crm.purge_old_notifications"]["task"] == "crm.purge_old_notifications"
    call_command("runjob", "crm.purge_old_notifications")
    assert "crm.purge_old_notifications: 1" in capsys.readouterr().out
    assert list(Notification.objects.values_list("pk", flat=True)) == [keep]


def test_exports_older_than_the_rule_go_with_their_files_but_not_one_still_running(make_user, settings, monkeypatch):
    from crm.exports import export_purge_old

    monkeypatch.setattr(retention, "CHUNK_SIZE", 2)
    Rule.objects.filter(key="crm.export_keep_days").update(value=3)
    root = Path(settings.EXPORT_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    user = make_user("admin")

    def export(name, made, status=ExportJob.Status.DONE):
        (root / name).write_bytes(b"PK")
        job = ExportJob.objects.create(user=user, register="complaints", file_name=name, status=status)
        ExportJob.objects.filter(pk=job.pk).update(created_at=made)
        return job.pk

    now = dt.datetime(2026, 12, 10, 0, 0, tzinfo=TZ)  # three days after 12-06 ended
    old = [export(f"old{i}.xlsx", dt.datetime(2026, 12, 6, 23, 0, tzinfo=TZ)) for i in range(5)]
    failed = export("failed.xlsx", dt.datetime(2026, 11, 1, tzinfo=TZ), ExportJob.Status.FAILED)
    young = export("young.xlsx", dt.datetime(2026, 12, 7, 0, 0, tzinfo=TZ))
    assert export_purge_old(now=now) == len(old) + 1
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [young]
    assert sorted(p.name for p in root.iterdir()) == ["young.xlsx"]
    assert failed not in ExportJob.objects.values_list("pk", flat=True)
    # a zero-day rule: made before today, gone; one started an hour ago and still running stays
    Rule.objects.filter(key="crm.export_keep_days").update(value=0)
    forget("crm.export_keep_days")
    running = export("running.xlsx", now - dt.timedelta(hours=1), ExportJob.Status.RUNNING)
    assert export_purge_old(now=now) == 1
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [running]
    assert (root / "running.xlsx").exists()
