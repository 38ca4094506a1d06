"""The owner in the loop: the plan answered from the phone, comments and photos, the chase,
and the return visit online, through the pages, reading the rows back."""
import datetime as dt

import pytest
from django.test import Client

from complaints import services as complaint_services
from complaints.models import (
    Complaint,
    NegotiationRound,
    ReturnVisit,
    SlaClock,
    State,
    TimelineEntry,
)
from crm.models import Notification

from .conftest import act
from .test_cases import jpeg_with_gps, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user):
    return {r: make_user(r, username=r) for r in ("front_desk", "cs_staff", "cs_supervisor", "manager")}


@pytest.fixture
def reported(client, place, owner_login, staff):
    owner_login(0)
    report(client, place["units"][0])
    case = Complaint.objects.get()
    complaint_services.complaint_transfer(complaint=case, user=staff["front_desk"], handler=staff["cs_staff"])
    return case


def plan_approved(case, staff, n=1):
    if case.state == State.TRANSFERRED:
        complaint_services.complaint_classify(complaint=case, user=staff["cs_supervisor"], valid=True,
                                              severity="minor")
        complaint_services.complaint_investigate(complaint=case, user=staff["cs_staff"], cause="c", responsibility="r")
    complaint_services.plan_submit(complaint=case, user=staff["cs_staff"], content=f"更换水管（第{n}稿）")
    case.refresh_from_db()
    complaint_services.plan_decide(complaint=case, user=staff["manager"], approve=True)
    case.refresh_from_db()


def test_owner_disagrees_once_then_agrees_on_the_revised_plan(client, reported, staff):
    case = reported
    plan_approved(case, staff)
    page = client.get(f"/m/cases/{case.pk}/").content.decode()
    assert "更换水管（第1稿）" in page and 'data-testid="plan"' in page
    act(client, case.pk, "plan", {"agreed": "no", "comment": "希望周末施工"})
    case.refresh_from_db()
    assert case.state == State.NEGOTIATION_FAILED
    first = NegotiationRound.objects.get(complaint=case)
    assert not first.agreed and first.owner_opinion == "希望周末施工" and first.by.owner_account
    assert Notification.objects.filter(recipient=staff["cs_staff"], title__contains="不同意").exists()
    plan_approved(case, staff, n=2)
    act(client, case.pk, "plan", {"agreed": "yes", "comment": ""})
    case.refresh_from_db()
    assert case.state == State.AGREED and NegotiationRound.objects.filter(complaint=case, agreed=True).count() == 1


def test_disagreeing_needs_a_reason_and_changes_nothing(client, reported, staff):
    plan_approved(reported, staff)
    page = act(client, reported.pk, "plan", {"agreed": "no", "comment": " "}, follow=True)
    assert "请说明您不同意的原因" in page.content.decode()
    reported.refresh_from_db()
    assert reported.state == State.PLAN_APPROVED and not NegotiationRound.objects.exists()


def test_the_plan_cannot_be_answered_before_it_is_approved(client, reported):
    act(client, reported.pk, "plan", {"agreed": "yes"})
    reported.refresh_from_db()
    assert reported.state == State.TRANSFERRED and not NegotiationRound.objects.exists()


def test_a_comment_and_a_photo_while_open(client, reported):
    act(client, reported.pk, "comment", {"text": "楼下也开始渗水", "photos": [jpeg_with_gps()]})
    assert TimelineEntry.objects.filter(complaint=reported, kind="owner_comment", text="楼下也开始渗水").exists()
    assert reported.attachments.count() == 1
    assert "楼下也开始渗水" in client.get(f"/m/cases/{reported.pk}/").content.decode()


def test_a_chase_once_per_working_day(client, reported, staff, monkeypatch):
    act(client, reported.pk, "chase")
    page = act(client, reported.pk, "chase", follow=True).content.decode()
    assert "每个工作日只能催办一次" in page
    assert TimelineEntry.objects.filter(complaint=reported, kind="owner_chase").count() == 1
    assert Notification.objects.filter(recipient=staff["cs_staff"], title__contains="业主催办").count() == 1
    # the next working day it may chase again
    TimelineEntry.objects.filter(kind="owner_chase").update(at=TimelineEntry.objects.get(
        kind="owner_chase").at - dt.timedelta(days=4))
    act(client, reported.pk, "chase")
    assert TimelineEntry.objects.filter(complaint=reported, kind="owner_chase").count() == 2


def _disposed(case, staff, client):
    plan_approved(case, staff)
    act(client, case.pk, "plan", {"agreed": "yes"})
    case.refresh_from_db()
    complaint_services.complaint_execute(complaint=case, user=staff["cs_staff"], result="已更换水管")
    case.refresh_from_db()


def test_the_return_visit_online_meets_its_clock(client, reported, staff):
    _disposed(reported, staff, client)
    assert 'data-testid="visit"' in client.get(f"/m/cases/{reported.pk}/").content.decode()
    act(client, reported.pk, "visit", {"handled": "yes", "satisfaction": "5", "more_needs": ""})
    visit = ReturnVisit.objects.get(complaint=reported)
    assert visit.handled and visit.satisfaction == 5 and visit.by.owner_account
    reported.refresh_from_db()
    assert reported.visit_state == "done"
    assert SlaClock.objects.get(complaint=reported, rule__code="return_visit").state == "met"


def test_not_satisfied_reopens_to_the_supervisor_with_the_owners_words(client, reported, staff):
    _disposed(reported, staff, client)
    act(client, reported.pk, "visit", {"handled": "yes", "satisfaction": "1", "more_needs": "还是漏水"})
    reported.refresh_from_db()
    assert reported.state == State.TRANSFERRED
    assert TimelineEntry.objects.filter(complaint=reported, kind="reopen", text__endswith="还是漏水").exists()
    assert Notification.objects.filter(recipient=staff["cs_supervisor"], body="还是漏水").exists()
    assert ReturnVisit.objects.filter(complaint=reported, satisfaction=1).exists()


def test_a_need_in_the_third_answer_becomes_a_new_case(client, reported, staff):
    _disposed(reported, staff, client)
    act(client, reported.pk, "visit", {"handled": "yes", "satisfaction": "4",
                                                    "more_needs": "希望小区增加充电桩"})
    new = Complaint.objects.exclude(pk=reported.pk).get()
    assert new.kind == "need_suggestion" and new.channel == "owner_portal" and new.customer == reported.customer
    assert "希望小区增加充电桩" in client.get("/m/cases/").content.decode()


def test_another_owner_cannot_act_on_my_case(client, reported, staff, owner_login):
    plan_approved(reported, staff)
    other = owner_login(1, Client())
    assert act(other, reported.pk, "plan", {"agreed": "yes"}).status_code == 404
    assert act(other, reported.pk, "chase").status_code == 404
    reported.refresh_from_db()
    assert reported.state == State.PLAN_APPROVED


def test_the_services_refuse_another_owner_even_without_the_portal_page(client, reported, staff, owner_login):
    """Defence in depth: the workflow's guard refuses an owner on a case that is not theirs."""
    from django.core.exceptions import ValidationError

    plan_approved(reported, staff)
    other = owner_login(1, Client()).session
    from django.contrib.auth import get_user_model

    intruder = get_user_model().objects.get(pk=other["_auth_user_id"])
    with pytest.raises(ValidationError):
        complaint_services.negotiation_record(complaint=reported, user=intruder, agreed=True, owner_opinion="好")
    reported.refresh_from_db()
    assert reported.state == State.PLAN_APPROVED and not NegotiationRound.objects.exists()
