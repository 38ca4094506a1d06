"""Beat jobs: the SLA scan, the automatic major rules, reminders and reports; each safe to run twice."""
import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from complaints import clocks, services, sla
from complaints.models import ClockState, Complaint, Severity
from crm.models import Notification, Rule

from .conftest import at

JOBS = ["complaints.sla_scan", "complaints.auto_major", "complaints.return_visit_reminders",
        "complaints.daily_report", "complaints.weekly_report"]


def test_every_job_is_scheduled_under_its_task_name_and_listed_in_the_readme():
    from pathlib import Path

    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    for name in JOBS:
        assert settings.CELERY_BEAT_SCHEDULE[name]["task"] == name
        assert f"`{name}`" in readme


def test_a_scan_run_twice_notifies_once(case_in, users):
    case = case_in("classified")
    clock = case.clocks.get(rule__code=sla.IMPORTANT)
    later = clock.deadline + dt.timedelta(minutes=1)
    first = clocks.sla_scan(now=later)
    count = Notification.objects.count()
    second = clocks.sla_scan(now=later)
    clock.refresh_from_db()
    assert first["breached"] == 1 and second["breached"] == 0
    assert clock.state == ClockState.BREACHED
    assert Notification.objects.count() == count
    assert Notification.objects.filter(recipient=users["cs_supervisor"], title__contains="已超时").count() == 1


def test_the_scan_warns_at_eighty_percent_then_escalates_to_the_manager(case_in, users):
    case = case_in("classified")
    services.complaint_investigate(complaint=case, user=users["cs_staff"], cause="c", responsibility="r")
    clock = case.clocks.get(rule__code=sla.IMPORTANT)
    clocks.sla_scan(now=clock.warn_at + dt.timedelta(seconds=1))
    clock.refresh_from_db()
    assert clock.state == ClockState.AT_RISK
    assert Notification.objects.filter(recipient=users["cs_staff"], title__contains="即将超时").exists()
    clocks.sla_scan(now=clock.escalate_at + dt.timedelta(seconds=1))
    clock.refresh_from_db()
    assert clock.state == ClockState.BREACHED and clock.escalation == 3
    assert Notification.objects.filter(recipient=users["manager"], title__contains="超时未处理").count() == 1


def test_warn_percent_is_a_rule(case_in, users):
    Rule.objects.filter(key="complaints.sla_warn_percent").update(value=50)
    case = case_in("registered", received_at=at(2026, 10, 9, 9))
    services.complaint_classify(complaint=case, user=users["cs_supervisor"], valid=True, severity="important")
    assert case.clocks.get(rule__code=sla.IMPORTANT).warn_at == at(2026, 10, 9, 14, 15)


def test_a_valid_complaint_unresolved_after_seven_days_becomes_major_once(case_in, users):
    case = case_in("investigated", received_at=timezone.now() - dt.timedelta(days=8))
    fresh = case_in("investigated")
    changed = clocks.auto_major()
    case.refresh_from_db()
    fresh.refresh_from_db()
    assert changed == [case.pk]
    assert case.severity == Severity.MAJOR and "7天" in case.major_reason
    assert fresh.severity == Severity.IMPORTANT
    states = dict(case.clocks.values_list("rule__code", "state"))
    assert states[sla.IMPORTANT] == ClockState.CANCELLED
    assert {sla.MAJOR_ANSWER, sla.MAJOR_RESOLVE} <= set(states)
    notes = Notification.objects.count()
    assert clocks.auto_major() == []
    assert Notification.objects.count() == notes


@pytest.mark.parametrize(("received", "still_not", "major_from"), [
    # 民法典 art. 201: the day received is not counted; 7 days end at the end of 12-08
    ((2026, 12, 1, 10), (2026, 12, 8, 23, 59), (2026, 12, 9, 0, 0)),
    ((2026, 12, 1, 0, 5), (2026, 12, 8, 23, 59), (2026, 12, 9, 0, 0)),
    # elapsed time: a last day in the National Day holiday does not move
    ((2026, 9, 24, 10), (2026, 10, 1, 23, 59), (2026, 10, 2, 0, 0)),
])
def test_seven_days_unresolved_are_over_at_the_end_of_the_seventh_day_after_receipt(case_in, received, still_not,
                                                                                    major_from):
    case = case_in("investigated", received_at=at(*received))
    assert clocks.auto_major(now=at(*still_not)) == []
    assert clocks.auto_major(now=at(*major_from)) == [case.pk]
    assert Complaint.objects.get(pk=case.pk).severity == Severity.MAJOR


def test_the_seven_day_rule_reads_its_rule(case_in):
    Rule.objects.filter(key="complaints.unresolved_major_days").update(value=10)
    case_in("investigated", received_at=timezone.now() - dt.timedelta(days=8))
    assert clocks.auto_major() == []


def test_five_distinct_owners_on_one_event_make_all_its_complaints_major(new_case, place, users):
    event = services.event_create(project=place["project"], title="3号电梯停运", user=users["cs_staff"])
    cases = [new_case(owner=i, event=event) for i in range(4)]
    new_case(owner=0, event=event)  # the same owner again does not count twice
    assert all(c.severity != Severity.MAJOR for c in cases)
    fifth = new_case(owner=4, event=event)
    for c in [*cases, fifth]:
        c.refresh_from_db()
        assert c.severity == Severity.MAJOR
        assert "5户" in c.major_reason
        assert c.timeline.filter(kind="major").exists()
    # classifying later keeps it major, whatever the form says
    services.complaint_classify(complaint=fifth, user=users["cs_supervisor"], valid=True, severity="minor")
    fifth.refresh_from_db()
    assert fifth.severity == Severity.MAJOR


def test_return_visit_reminders_notify_the_front_desk_once_a_day(case_in, users):
    case_in("executed")
    assert clocks.return_visit_reminders() == 1
    assert clocks.return_visit_reminders() == 0


def test_weekly_report_is_stored_once_per_week(case_in):
    case_in("closed")
    today = timezone.localdate() + dt.timedelta(days=7)
    report = services.weekly_report(today=today)
    again = services.weekly_report(today=today)
    assert report.pk == again.pk
    assert report.data["total"] == 1
    assert report.data["return_visit"]["rate"] == 100.0


def test_the_manager_is_asked_at_the_rules_percent_of_a_clock(case_in, users):
    from crm.calendar import calendar
    from crm.rules import forget

    early = case_in("classified")
    Rule.objects.filter(key="complaints.sla_manager_percent").update(value=120)
    forget("complaints.sla_manager_percent")
    late = case_in("classified", received_at=early.received_at)
    before = early.clocks.get(rule__code=sla.IMPORTANT)
    after = late.clocks.get(rule__code=sla.IMPORTANT)
    assert after.escalate_at == sla.fraction_point(calendar(), after.started_at, after.deadline, 120, True)
    # between 120% and 150% of the clock: only the clock started under the new rule asks the manager
    moment = sla.fraction_point(calendar(), before.started_at, before.deadline, 135, True)
    assert after.escalate_at <= moment < before.escalate_at
    result = clocks.sla_scan(now=moment)
    before.refresh_from_db()
    after.refresh_from_db()
    assert result["to_manager"] == 1
    assert after.escalation == 3 and before.escalation == 2
    note = Notification.objects.get(recipient=users["manager"], title__contains="超时未处理")
    assert late.number in note.body and early.number not in note.body


def test_the_default_manager_point_is_150_percent_and_the_warning_80(case_in):
    from crm.calendar import calendar

    clock = case_in("classified").clocks.get(rule__code=sla.IMPORTANT)
    cal = calendar()
    assert clock.escalate_at == sla.fraction_point(cal, clock.started_at, clock.deadline, 150, True)
    assert clock.warn_at == sla.fraction_point(cal, clock.started_at, clock.deadline, 80, True)


def test_the_scan_costs_the_same_queries_for_one_breach_or_many(case_in, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from complaints.models import SlaClock

    def breach_all():
        SlaClock.objects.filter(state=ClockState.RUNNING).update(deadline=timezone.now() - dt.timedelta(minutes=1))

    from crm.permcache import user_permissions

    for user in users.values():  # warm, as on a running server: one cache read per recipient
        user_permissions(user)
    case_in("classified")
    breach_all()

    with CaptureQueriesContext(connection) as one:
        first = clocks.sla_scan()
    for _ in range(6):
        case_in("classified")
    breach_all()
    with CaptureQueriesContext(connection) as many:
        second = clocks.sla_scan()
    assert second["breached"] > first["breached"] >= 1
    assert len(many) == len(one)


# --- Years of data: the jobs work a chunk at a time (issue 14 §3) ---------------------------------

def _id_lists(statements) -> list[int]:
    import re

    # the lists of ids (a primary or foreign key IN (…)), not of states
    return [m.group(1).count("%s") for sql in statements for m in re.finditer(r'(?:"id"|_id") IN \(([^()]*)\)', sql)]


class _Statements(list):
    def __call__(self, execute, sql, params, many, context):
        self.append(sql)
        return execute(sql, params, many, context)


def test_a_scan_with_more_clocks_due_than_a_chunk_changes_all_and_sends_one_summary(case_in, users, monkeypatch):
    from django.db import connection

    from complaints.models import SlaClock

    monkeypatch.setattr(clocks, "CHUNK_SIZE", 2)
    cases = [case_in("investigated") for _ in range(5)]
    due = SlaClock.objects.filter(complaint__in=cases, rule__code=sla.IMPORTANT)
    moment = max(due.values_list("deadline", flat=True))
    statements = _Statements()
    with connection.execute_wrapper(statements):
        assert clocks.sla_scan(now=moment)["breached"] == 5
    assert set(due.values_list("state", flat=True)) == {ClockState.BREACHED}
    assert max(_id_lists(statements)) <= 2  # no id list longer than a chunk
    handler = Notification.objects.filter(recipient=users["cs_staff"], title__startswith="时限已超时")
    assert sorted(handler.values_list("dedupe_key", flat=True)) == sorted(
        f"sla:{pk}:breach" for pk in due.values_list("pk", flat=True))
    summary = Notification.objects.get(recipient=users["cs_supervisor"], title__endswith="项时限已超时")
    assert summary.title == "5项时限已超时"
    assert summary.body.split("；") == [f"{c.number} 重要投诉处置" for c in cases]
    notes = Notification.objects.count()
    assert clocks.sla_scan(now=moment) == {"warned": 0, "breached": 0, "to_manager": 0, "notified": 0}
    assert Notification.objects.count() == notes


def test_auto_major_over_more_cases_than_a_chunk_makes_each_major_and_tells_the_superiors_once(
        case_in, users, monkeypatch):
    from django.db import connection

    monkeypatch.setattr(clocks, "CHUNK_SIZE", 2)
    old = timezone.now() - dt.timedelta(days=30)
    cases = [case_in("investigated", received_at=old + dt.timedelta(minutes=i)) for i in range(6)]
    statements = _Statements()
    with connection.execute_wrapper(statements):
        assert sorted(clocks.auto_major()) == sorted(c.pk for c in cases)
    assert max(_id_lists(statements)) <= 2
    for case in cases:
        row = Complaint.objects.get(pk=case.pk)
        assert row.severity == Severity.MAJOR
        assert row.timeline.filter(kind="major").count() == 1
        assert set(row.clocks.filter(rule__code__in=[sla.MAJOR_ANSWER, sla.MAJOR_RESOLVE])
                   .values_list("state", flat=True)) == {ClockState.RUNNING}
    newest_first = [c.number for c in reversed(cases)]  # the register's order
    for role in ("cs_supervisor", "manager"):
        note = Notification.objects.get(recipient=users[role], title__startswith="升级为重大投诉")
        assert note.title == "升级为重大投诉：" + "、".join(newest_first[:5]) + "等"
        assert note.body == "有效投诉超过7天未解决"
    assert clocks.auto_major() == []


def test_the_scan_counts_every_chunk_of_clocks_and_notices(case_in, users, monkeypatch):
    """Clocks are claimed a chunk at a time: what the scan reports adds up every chunk (found by
    mutation testing: one chunk was all the tests ever made)."""
    monkeypatch.setattr(clocks, "CHUNK_SIZE", 1)
    cases = [case_in("classified") for _ in range(3)]
    deadline = max(c.clocks.get(rule__code=sla.IMPORTANT).escalate_at for c in cases)
    first = clocks.sla_scan(now=deadline + dt.timedelta(seconds=1))
    # three clocks breach (one notice each to the handler, one summary to the supervisor), then
    # escalate past the manager's percent (one summary to the manager)
    assert first == {"warned": 0, "breached": 3, "to_manager": 3, "notified": 3 + 1 + 1}
    assert Notification.objects.filter(title__startswith="时限已超时：").count() == 3
    assert clocks.sla_scan(now=deadline + dt.timedelta(seconds=2)) == {
        "warned": 0, "breached": 0, "to_manager": 0, "notified": 0}
