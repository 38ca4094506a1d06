"""The archive (issue 7 §7) applied to complaints: closed cases older than the rule are archived
in bulk by crm's job, refuse every write, and stay searchable and exportable."""
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from complaints import clocks, services
from complaints.models import Complaint, State
from crm.archive import archive_closed
from crm.models import Rule


def close_days_ago(case, days):
    Complaint.objects.filter(pk=case.pk).update(closed_at=timezone.now() - dt.timedelta(days=days))
    case.refresh_from_db()
    return case


@pytest.fixture
def old_closed(case_in):
    return close_days_ago(case_in(State.CLOSED), 400)


def test_the_job_archives_only_closed_cases_older_than_the_rule(case_in, old_closed):
    recent = close_days_ago(case_in(State.CLOSED), 30)
    old_open = case_in(State.CLASSIFIED, received_at=timezone.now() - dt.timedelta(days=500))
    result = archive_closed()
    assert result["complaints.Complaint"] == 1
    for case in (old_closed, recent, old_open):
        case.refresh_from_db()
    assert old_closed.state == State.ARCHIVED and old_closed.archived_at is not None
    assert recent.state == State.CLOSED and old_open.state == State.CLASSIFIED
    entry = old_closed.history.first()
    assert entry.state == State.ARCHIVED and "归档" in entry.history_change_reason
    assert old_closed.timeline.filter(kind="archive").count() == 1


def test_running_the_job_twice_changes_nothing_more(old_closed):
    archive_closed()
    old_closed.refresh_from_db()
    stamp, history = old_closed.archived_at, old_closed.history.count()
    assert archive_closed()["complaints.Complaint"] == 0
    old_closed.refresh_from_db()
    assert old_closed.archived_at == stamp and old_closed.history.count() == history
    assert old_closed.timeline.filter(kind="archive").count() == 1


def test_the_age_is_the_admins_rule(old_closed):
    Rule.objects.filter(key="crm.archive_after_days").update(value=500)
    assert archive_closed()["complaints.Complaint"] == 0
    Rule.objects.filter(key="crm.archive_after_days").update(value=0)  # 0: never archive automatically
    from crm.rules import forget

    forget("crm.archive_after_days")
    assert archive_closed()["complaints.Complaint"] == 0
    Rule.objects.filter(key="crm.archive_after_days").update(value=365)
    forget("crm.archive_after_days")
    assert archive_closed()["complaints.Complaint"] == 1


def test_the_job_runs_from_runjob(old_closed):
    from django.core.management import call_command

    call_command("runjob", "crm.archive_closed")
    old_closed.refresh_from_db()
    assert old_closed.state == State.ARCHIVED


def test_an_archived_case_refuses_every_write(case_in, users, place):
    case = case_in(State.ARCHIVED)
    stale = Complaint.objects.get(pk=case.pk)
    stale.state, stale.visit_state = State.CORRECTED, "done"  # a stale object or a forged form does not help
    entries = case.timeline.count()
    upload = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    event = services.event_create(project=place["project"], title="停电", user=users["cs_staff"])
    clock = case.clocks.first()
    writes = [
        lambda: services.attachment_add(complaint=stale, user=users["cs_staff"], upload=upload),
        lambda: services.event_link(complaint=stale, event=event, user=users["cs_staff"]),
        lambda: services.complaint_close(complaint=stale, user=users["cs_staff"]),
        lambda: clocks.clock_pause(clock=clock, user=users["cs_staff"], reason="x"),
        lambda: clocks.extension_request(clock=clock, user=users["cs_staff"], reason="x",
                                         new_deadline=clock.deadline + dt.timedelta(days=1)),
    ]
    for write in writes:
        with pytest.raises(ValidationError, match="已归档"):
            write()
    case.refresh_from_db()
    assert case.state == State.ARCHIVED and case.event is None
    assert case.attachments.count() == 0 and case.timeline.count() == entries


def test_a_case_archived_while_its_page_was_open_refuses_a_transition(case_in, users):
    case = case_in(State.CLOSED)
    stale = Complaint.objects.get(pk=case.pk)
    services.complaint_archive(complaint=case, user=users["cs_supervisor"])
    stale.state, stale.visit_state = State.CORRECTED, "done"  # whatever the old page or a forged form says
    with pytest.raises(ValidationError, match="已归档"):
        services.complaint_close(complaint=stale, user=users["cs_staff"])
    assert Complaint.objects.get(pk=case.pk).state == State.ARCHIVED


@pytest.mark.django_db
def test_the_archived_case_page_shows_a_banner_and_no_buttons(as_role):
    case = Complaint.objects.filter(state=State.ARCHIVED, kind="complaint").first()
    body = as_role("cs_supervisor").get(reverse("complaints:detail", args=[case.pk])).content.decode()
    assert 'id="archived-banner"' in body and "已归档" in body
    assert "data-transition=" not in body
    assert reverse("complaints:attach", args=[case.pk]) not in body
    assert 'id="event-form"' not in body


@pytest.mark.django_db
def test_an_upload_posted_to_an_archived_case_is_refused(as_role):
    case = Complaint.objects.filter(state=State.ARCHIVED).first()
    client = as_role("cs_staff")
    good = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    response = client.post(reverse("complaints:attach", args=[case.pk]), {"file": good}, follow=True)
    assert case.attachments.count() == 0
    assert "已归档" in response.content.decode()


@pytest.mark.django_db
def test_archived_cases_are_found_by_search_and_filter_and_exported(as_role):
    case = Complaint.objects.filter(state=State.ARCHIVED).first()
    client = as_role("admin")
    register, link = reverse("complaints:register"), reverse("complaints:detail", args=[case.pk])
    assert link in client.get(register, {"q": case.number}).content.decode()
    assert link in client.get(register, {"archive": "only"}).content.decode()
    assert link not in client.get(register, {"archive": "exclude", "q": case.number}).content.decode()
    response = client.get(reverse("crm:export_register", args=["complaints"]), {"q": case.number})
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    row = next(r for r in rows if r[0] == case.number)
    assert row[rows[0].index("状态")] == "已归档"


@pytest.mark.parametrize(("closed", "still_not", "archived_from"), [
    # 民法典 art. 201: closed on 2025-12-01, 365 days end at the end of 2026-12-01
    ((2025, 12, 1, 10), (2026, 12, 1, 23, 59), (2026, 12, 2, 0, 0)),
    # elapsed time: an age that ends in the National Day holiday is not moved
    ((2025, 10, 1, 10), (2026, 10, 1, 23, 59), (2026, 10, 2, 0, 0)),
])
def test_the_archive_age_is_counted_in_whole_days_after_the_day_closed(case_in, closed, still_not, archived_from):
    from .conftest import at

    case = case_in(State.CLOSED)
    Complaint.objects.filter(pk=case.pk).update(closed_at=at(*closed))
    assert archive_closed(now=at(*still_not))["complaints.Complaint"] == 0
    assert archive_closed(now=at(*archived_from))["complaints.Complaint"] == 1
    assert Complaint.objects.get(pk=case.pk).state == State.ARCHIVED
