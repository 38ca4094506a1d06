"""Who each notice of the mortgage app reaches (every job and service that notifies): the right
people, each able to open the record it points to; nobody who left, nobody outside."""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from crm.models import Notification
from crm.testing import notices_not_opening
from mortgage import services
from mortgage.imports import overdue_upload_apply, overdue_upload_receive
from mortgage.models import AgentCompany, OverdueRecord, TitleCertificateCase
from mortgage.tests.conftest import months_ago, row, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(estate, make_user):
    from property_liaison.models import PropertyAppointment, PropertyCompany

    company = PropertyCompany.objects.create(name="物业")
    PropertyAppointment.objects.create(project=estate["project"], company=company, start_date=dt.date(2024, 1, 1))
    found = {role: make_user(role, username=role) for role in (
        "cs_staff", "cs_supervisor", "manager", "finance", "legal", "front_desk")}
    found["liaison"] = make_user("property_company", username="liaison", property_company=company)
    return found


def told(**filters):
    return set(Notification.objects.filter(**filters).values_list("recipient__username", flat=True))


def _agreement(estate, users):
    agreement = services.agreement_create(user=users["cs_staff"], agent=AgentCompany.objects.create(name="代办"),
                                          project=estate["project"], scope="办证", total_fee=Decimal("5000"),
                                          days_submit=5)
    services.agreement_submit(agreement=agreement, user=users["cs_staff"])
    return agreement


def test_an_agreement_goes_to_the_managers_and_the_decision_to_its_drafter(estate, users, client):
    agreement = _agreement(estate, users)
    assert told(title__startswith="待审批") == {"manager"}
    services.agreement_decide(agreement=agreement, user=users["manager"], approve=True)
    assert told(title__contains="已批准") == {"cs_staff"}
    assert notices_not_opening(client) == []


def test_a_release_goes_to_finance_and_late_cases_to_the_staff(estate, users, client):
    agreement = _agreement(estate, users)
    services.agreement_decide(agreement=agreement, user=users["manager"], approve=True)
    services.certificate_cases_create_for_project(project=estate["project"], agreement=agreement,
                                                  user=users["cs_staff"], collected_on=dt.date(2026, 1, 5))
    case = TitleCertificateCase.objects.get(unit=estate["units"][0])
    for action in ("submit", "file"):
        services.certificate_advance(case=case, action=action, user=users["cs_staff"])
    services.certificate_advance(case=case, action="issue", user=users["cs_staff"], certificate_number="X-1")
    services.certificate_advance(case=case, action="register_mortgage", user=users["cs_staff"])
    services.certificate_advance(case=case, action="request_release", user=users["cs_staff"])
    assert told(title__startswith="请确认撤销按揭担保") == {"finance"}
    services.certificates_chase_late()
    assert told(title__startswith="产权证办理超期") == {"cs_staff"}
    assert notices_not_opening(client) == []


def _flagged(estate, users):
    upload = overdue_upload_receive(user=users["finance"], uploaded=xlsx([row(estate["loans"][2], 25000, months_ago(2))]),
                                    report_date=timezone.localdate() - dt.timedelta(days=3))
    overdue_upload_apply(upload=upload, user=users["finance"])
    return OverdueRecord.objects.get(loan=estate["loans"][2])


def test_the_litigation_rule_tells_the_supervisors(estate, users, client):
    upload = overdue_upload_receive(user=users["finance"], uploaded=xlsx([row(estate["loans"][0], 500, months_ago(5))]),
                                    report_date=timezone.localdate())
    overdue_upload_apply(upload=upload, user=users["finance"])
    services.litigation_evaluate(today=timezone.localdate() + dt.timedelta(days=60))
    assert told(title__contains="按揭逾期须诉讼") == {"cs_supervisor"}
    assert notices_not_opening(client) == []


def test_a_hand_over_goes_to_its_legal_assignee(estate, users, client):
    record = _flagged(estate, users)
    services.litigation_hand_over(record=record, user=users["cs_staff"], assignee=users["legal"], dossier_note="催缴无果")
    assert told(title__startswith="按揭逾期诉讼案卷已移交") == {"legal"}
    assert notices_not_opening(client) == []


def test_a_list_that_drops_a_lawsuit_whose_assignee_left_tells_the_supervisors_once(estate, users, client):
    record = _flagged(estate, users)
    services.litigation_hand_over(record=record, user=users["cs_staff"], assignee=users["legal"], dossier_note="催缴无果")
    users["legal"].is_active = False
    users["legal"].save()
    later = overdue_upload_receive(user=users["finance"], uploaded=xlsx([row(estate["loans"][0], 100, months_ago(1))]),
                                   report_date=timezone.localdate())
    overdue_upload_apply(upload=later, user=users["finance"])
    notes = Notification.objects.filter(dedupe_key__startswith="mortgage:unlisted:")
    assert told(dedupe_key__startswith="mortgage:unlisted:") == {"cs_supervisor"} and notes.count() == 1
    assert notices_not_opening(client, notes) == []
