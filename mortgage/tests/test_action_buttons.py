"""Every button, form and link of the certificate, agreement, overdue and litigation pages is
shown exactly to a user the service accepts; the others neither see nor post it (the row read
back unchanged)."""
import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from crm.demo import demo_user
from mortgage import services
from mortgage.models import AgencyAgreement, CollectionReminder, LitigationCase, OverdueRecord, TitleCertificateCase

pytestmark = pytest.mark.django_db


def page(client, name, pk):
    response = client.get(reverse(name, args=[pk]))
    assert response.status_code == 200
    return response.content.decode()


def advance(client, case, action):
    return client.post(reverse("mortgage:certificate_advance", args=[case.pk, action]), {"on": timezone.localdate()})


def test_finance_sees_the_agent_but_no_link_to_agreements_it_may_not_open(as_role):
    case = TitleCertificateCase.objects.filter(agreement__isnull=False).first()
    finance = as_role("finance")
    body = page(finance, "mortgage:certificate_detail", case.pk)
    assert case.agreement.number in body
    assert reverse("mortgage:agreement_detail", args=[case.agreement_id]) not in body
    assert finance.get(reverse("mortgage:agreement_detail", args=[case.agreement_id])).status_code == 403
    assert reverse("mortgage:agreement_list") not in finance.get(reverse("mortgage:certificate_list")).content.decode()
    staff = as_role("cs_staff")
    assert reverse("mortgage:agreement_detail", args=[case.agreement_id]) in page(staff, "mortgage:certificate_detail",
                                                                                    case.pk)


def test_an_issued_certificate_offers_the_steps_its_loan_allows_and_refuses_the_others(as_role):
    case = TitleCertificateCase.objects.filter(stage="issued", loan__isnull=False).first()
    staff = as_role("cs_staff")
    body = page(staff, "mortgage:certificate_detail", case.pk)
    assert 'data-action="register_mortgage"' in body and 'data-action="complete"' not in body
    advance(staff, case, "complete")
    case.refresh_from_db()
    assert case.stage == "issued"
    TitleCertificateCase.objects.filter(pk=case.pk).update(loan=None)
    body = page(staff, "mortgage:certificate_detail", case.pk)
    assert 'data-action="register_mortgage"' not in body and 'data-action="complete"' in body
    advance(staff, case, "register_mortgage")
    case.refresh_from_db()
    assert case.stage == "issued" and case.mortgage_registered_on is None


def test_the_release_is_confirmed_by_finance_only(as_role):
    case = TitleCertificateCase.objects.filter(stage="release_requested").first()
    for role in ("cs_staff", "manager"):
        client = as_role(role)
        assert 'data-action="confirm_release"' not in page(client, "mortgage:certificate_detail", case.pk)
        advance(client, case, "confirm_release")
        case.refresh_from_db()
        assert case.stage == "release_requested" and case.released_by is None
    assert 'data-action="confirm_release"' in page(as_role("finance"), "mortgage:certificate_detail", case.pk)


def test_the_manager_who_only_views_a_certificate_gets_no_step_or_chase(as_role):
    case = TitleCertificateCase.objects.filter(stage="collected").first()
    manager = as_role("manager")
    body = page(manager, "mortgage:certificate_detail", case.pk)
    assert 'data-testid="actions"' not in body and 'data-testid="chase-form"' not in body
    advance(manager, case, "submit")
    case.refresh_from_db()
    assert case.stage == "collected"
    body = page(as_role("cs_staff"), "mortgage:certificate_detail", case.pk)
    assert 'data-action="submit"' in body and 'data-testid="chase-form"' in body


def test_only_the_manager_decides_a_pending_agreement(as_role):
    agreement = AgencyAgreement.objects.get(status="pending")
    url = reverse("mortgage:agreement_action", args=[agreement.pk, "approve"])
    supervisor = as_role("cs_supervisor")
    assert url not in page(supervisor, "mortgage:agreement_detail", agreement.pk)
    supervisor.post(url, {"comment": "同意"})
    agreement.refresh_from_db()
    assert agreement.status == "pending"
    assert url in page(as_role("manager"), "mortgage:agreement_detail", agreement.pk)


def test_reminders_are_offered_on_open_records_to_those_who_log_them(as_role):
    closed = OverdueRecord.objects.filter(status="closed").first()
    open_ = OverdueRecord.objects.filter(status="open").first()
    staff = as_role("cs_staff")
    assert 'data-testid="reminder-form"' not in page(staff, "mortgage:overdue_detail", closed.pk)
    before = CollectionReminder.objects.filter(record=closed).count()
    staff.post(reverse("mortgage:overdue_reminder", args=[closed.pk]), {"method": "phone", "summary": "已联系"})
    assert CollectionReminder.objects.filter(record=closed).count() == before
    assert 'data-testid="reminder-form"' in page(staff, "mortgage:overdue_detail", open_.pk)
    manager = as_role("manager")
    assert 'data-testid="reminder-form"' not in page(manager, "mortgage:overdue_detail", open_.pk)
    assert manager.post(reverse("mortgage:overdue_reminder", args=[open_.pk]),
                        {"method": "phone", "summary": "已联系"}).status_code == 403


def test_only_an_importer_sees_confirm_and_upload_again_on_a_list(as_role):
    from mortgage.models import OverdueUpload
    from mortgage.tests.conftest import months_ago, row, xlsx

    finance = as_role("finance")
    loans = [r.loan for r in OverdueRecord.objects.filter(status="open").select_related("loan__customer",
                                                                                         "loan__unit")[:1]]
    finance.post(reverse("mortgage:overdue_upload"), {"file": xlsx([row(loans[0], 999, months_ago(1))]),
                                                      "report_date": timezone.localdate()})
    upload = OverdueUpload.objects.order_by("-pk").first()
    assert upload.status == OverdueUpload.Status.VALID
    staff = as_role("cs_staff")
    body = page(staff, "mortgage:overdue_preview", upload.pk)
    assert 'id="confirm-import"' not in body and reverse("mortgage:overdue_upload") not in body
    assert staff.post(reverse("mortgage:overdue_confirm", args=[upload.pk])).status_code == 403
    upload.refresh_from_db()
    assert upload.status == OverdueUpload.Status.VALID
    assert 'id="confirm-import"' in page(as_role("finance"), "mortgage:overdue_preview", upload.pk)


def test_a_lawsuit_moves_only_by_the_legal_user_it_was_handed_to(as_role, make_user):
    case = LitigationCase.objects.filter(stage="handed_over").first()
    assert "立案" in page(as_role("legal"), "mortgage:litigation_detail", case.pk)
    assert 'formaction="' not in page(as_role("cs_supervisor"), "mortgage:litigation_detail", case.pk)
    with pytest.raises(PermissionDenied):
        services.litigation_advance(case=case, action="file", user=make_user("legal"), court="西湖区人民法院")
    case.refresh_from_db()
    assert case.stage == "handed_over" and case.court == ""
    assert services.litigation_advance(case=case, action="file", user=demo_user("legal"), court="西湖区人民法院")
