"""The mortgage pages speak each user's language: the overdue list's per-line problems, the
import's result, the notices (in each recipient's language); what they write as a record (a
history reason, a litigation reason) stays in the office's language, and the finance list's
Chinese headers are still what a file is read by."""
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from crm.models import Notification, StaffProfile
from mortgage import selectors, services
from mortgage.models import OverdueRecord, OverdueUpload
from mortgage.tests.conftest import months_ago, row, xlsx

pytestmark = pytest.mark.django_db


def english(client, *users):
    StaffProfile.objects.filter(user__in=users).update(language="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _upload(client, user, rows, name="overdue.xlsx"):
    client.force_login(user)
    response = client.post(reverse("mortgage:overdue_upload"),
                           {"file": xlsx(rows, name=name), "report_date": timezone.localdate()}, follow=True)
    assert response.status_code == 200
    return response.content.decode(), OverdueUpload.objects.order_by("-pk").first()


def test_an_english_user_reads_the_lists_problems_by_line_in_english_and_nothing_is_written(
        client, estate, make_user):
    finance = make_user("finance")
    english(client, finance)
    wrong = row(estate["loans"][0], 900, months_ago(1))
    wrong[4] = "工商银行"
    body, upload = _upload(client, finance, [wrong, row(estate["loans"][1], "很多", months_ago(1))])
    assert "bank “工商银行” does not match the lending bank of loan L0001 (should be “建设银行”)" in body
    assert "overdue amount “很多” is not a valid positive amount" in body
    assert "与贷款" not in body
    assert upload.status == OverdueUpload.Status.INVALID
    assert OverdueRecord.objects.count() == 0 and OverdueRecord.history.count() == 0


def test_an_english_user_applying_a_list_reads_english_and_the_history_stays_chinese(client, estate, make_user):
    finance = make_user("finance")
    english(client, finance)
    loans = estate["loans"]
    body, upload = _upload(client, finance, [row(loans[0], 900, months_ago(1)), row(loans[1], 25000, months_ago(1))])
    assert upload.status == OverdueUpload.Status.VALID
    response = client.post(reverse("mortgage:overdue_confirm", args=[upload.pk]), follow=True)
    assert "Import done: 2 new, 0 updated, 0 unchanged, 0 settled; 1 newly require litigation." in \
        response.content.decode()
    record = OverdueRecord.objects.get(loan=loans[1])
    assert record.litigation_required and record.litigation_reason == "逾期金额超过20,000元；"
    reasons = set(record.history.values_list("history_change_reason", flat=True))
    assert reasons == {f"逾期名单 {timezone.localdate()}", "诉讼规则判定须诉讼"}
    assert [line["text"] for line in selectors.record_list_timeline(record)] == [f"逾期名单 {timezone.localdate()}"]


def test_the_litigation_notice_reaches_each_supervisor_in_their_language(estate, make_user):
    finance, abroad, local = make_user("finance"), make_user("cs_supervisor"), make_user("cs_supervisor")
    StaffProfile.objects.filter(user=abroad).update(language="en")
    from mortgage.imports import overdue_upload_apply, overdue_upload_receive

    with translation.override("en"):  # applied by an English user: the record is still Chinese
        upload = overdue_upload_receive(user=finance, uploaded=xlsx([row(estate["loans"][0], 1000, months_ago(1),
                                                                          recommends="是")]),
                                        report_date=timezone.localdate())
        overdue_upload_apply(upload=upload, user=finance)
    assert OverdueRecord.objects.get().litigation_reason == "银行建议诉讼；"
    assert Notification.objects.get(recipient=abroad, dedupe_key__startswith="mortgage:litigation:").title == \
        "1 more overdue mortgages require litigation"
    assert Notification.objects.get(recipient=local, dedupe_key__startswith="mortgage:litigation:").title == \
        "新增 1 条按揭逾期须诉讼"


def test_a_refusal_of_the_mortgage_services_is_in_the_users_language(estate, make_user):
    from django.core.exceptions import ValidationError

    owner = estate["owners"][1]
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            services.loan_create(user=make_user("finance"), customer=owner, unit=estate["units"][0],
                                 loan_number="L9999", bank="建设银行", amount=1000, term_months=12)
        assert refused.value.messages == [
            f"{owner.name} is not an owner or co-owner of {estate['units'][0]}; "
            "no mortgage loan of this unit can be registered for them."]
