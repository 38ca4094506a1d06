"""The SLA clocks' jobs and services speak to each recipient in the language kept on their
profile (crm.languages), while what they write as a record (a timeline line, a history reason,
a case's major reason) is in the office's language whoever wrote it."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints import clocks, services, sla
from complaints.models import TimelineEntry
from crm.models import Notification, StaffProfile

pytestmark = pytest.mark.django_db


def english(*users):
    StaffProfile.objects.filter(user__in=users).update(language="en")


def titles(user):
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("title", flat=True))


def test_a_warning_reaches_an_english_handler_in_english_and_the_supervisor_in_chinese(new_case, users):
    english(users["cs_staff"])
    case = new_case()
    services.complaint_transfer(complaint=case, user=users["front_desk"], handler=users["cs_staff"])
    services.complaint_classify(complaint=case, user=users["cs_supervisor"], valid=True, severity="minor")
    clock = case.clocks.get(rule__code=sla.MINOR)
    clocks.sla_scan(now=clock.warn_at + dt.timedelta(seconds=1))
    assert f"Time limit at risk: {case.number} {clock.rule.name}" in titles(users["cs_staff"])
    clocks.sla_scan(now=clock.deadline + dt.timedelta(seconds=1))
    assert f"Time limit breached: {case.number} {clock.rule.name}" in titles(users["cs_staff"])
    assert "1项时限已超时" in titles(users["cs_supervisor"])


def test_the_automatic_major_rule_tells_an_english_manager_in_english_and_records_in_chinese(case_in, users):
    english(users["manager"])
    case = case_in("investigated", received_at=timezone.now() - dt.timedelta(days=9))
    clocks.auto_major()
    note = Notification.objects.get(recipient=users["manager"], title__startswith="Upgraded")
    assert note.title == f"Upgraded to major complaint: {case.number}"
    assert note.body == "Valid complaint unresolved for more than 7 days"
    chinese = Notification.objects.get(recipient=users["cs_supervisor"], title__startswith="升级")
    assert (chinese.title, chinese.body) == (f"升级为重大投诉：{case.number}", "有效投诉超过7天未解决")
    case.refresh_from_db()
    assert case.major_reason == "有效投诉超过7天未解决"
    assert case.timeline.filter(kind="major").get().text == "升级为重大投诉：有效投诉超过7天未解决"
    assert case.history.first().history_change_reason == "升级为重大投诉：有效投诉超过7天未解决"


def test_return_visit_reminders_reach_an_english_front_desk_in_english(case_in, users):
    english(users["front_desk"])
    case = case_in("executed")
    clocks.return_visit_reminders()
    note = Notification.objects.get(recipient=users["front_desk"])
    assert note.title == "1 return visits due"
    assert note.body.startswith(f"{case.number} due ")


def test_an_english_user_pausing_a_clock_writes_the_timeline_in_the_office_language(case_in, users, client):
    english(users["cs_staff"])
    case = case_in("classified")
    clock = case.clocks.get(rule__code=sla.IMPORTANT)
    client.force_login(users["cs_staff"])
    response = client.post(reverse("complaints:clock", args=[clock.pk, "pause"]), {"reason": "等待业主回复"})
    assert response.status_code == 302
    clock.refresh_from_db()
    assert clock.state == "paused"
    line = TimelineEntry.objects.filter(complaint=case, kind="clock").latest("pk")
    assert line.text == f"暂停时限“{clock.rule.name}”：等待业主回复"


def test_a_refusal_of_the_clock_services_is_in_the_users_language(case_in, users, settings):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    case = case_in("classified")
    clock = case.clocks.get(rule__code=sla.IMPORTANT)
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            clocks.clock_resume(clock=clock, user=users["cs_staff"])
        assert refused.value.messages == ["This time limit is not paused."]
        with pytest.raises(ValidationError) as refused:
            clocks.extension_request(clock=clock, user=users["cs_staff"], reason="等材料",
                                     new_deadline=clock.deadline - dt.timedelta(hours=1))
        assert refused.value.messages == ["The new deadline must be later than the current deadline."]
