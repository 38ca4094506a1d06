"""The shared mechanisms speak the reader's language: the workflow's and the uploads' refusals,
the rules' descriptions in the admin (their seeded rows stay in the office's language), the
line a rerouted notice adds for its new recipient, and the error page, which renders without
any context, says it in both languages."""
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy
from django.views.defaults import server_error

from complaints.services import complaint_register
from crm.models import Notification, Rule, StaffProfile
from crm.notifications import notify
from crm.uploads import validate_upload

pytestmark = pytest.mark.django_db


def test_the_error_page_says_it_in_chinese_then_in_english():
    body = server_error(RequestFactory().get("/")).content.decode()
    assert body.index("系统出现错误") < body.index("Something went wrong")
    assert "contact the system administrator" in body


def test_an_english_admin_reads_the_rules_in_english_and_the_seeded_rows_stay_chinese(client, make_user):
    admin = make_user("admin")
    StaffProfile.objects.filter(user=admin).update(language="en")
    client.force_login(admin)
    page = client.get(reverse("admin:crm_rule_changelist"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Days a read notification is kept before deletion" in page
    assert "已读通知保留该天数后删除" not in page
    rule = Rule.objects.get(key="crm.notification_keep_days")
    assert (rule.description, rule.unit) == ("已读通知保留该天数后删除(未读通知一直保留；0 表示不删除)", "天")


def test_an_upload_of_the_wrong_kind_is_refused_in_english():
    upload = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        validate_upload(upload, "image")
    with translation.override("en"):
        assert refused.value.messages == ["Only JPG, PNG, GIF or WEBP images can be uploaded."]


def test_an_english_user_refused_a_transition_reads_why_in_english(client, make_user):
    from complaints.models import Complaint
    from crm.tests.factories import ProjectFactory

    project = ProjectFactory(code="lake", name="湖畔")
    front = make_user("front_desk")
    case = complaint_register(received_by=front, kind="complaint", channel="phone", category="repairs",
                              title="漏水", description="漏水", project=project, complainant_name="业主",
                              complainant_phone="13900000000")
    staff = make_user("cs_staff")
    StaffProfile.objects.filter(user=staff).update(language="en")
    client.force_login(staff)
    response = client.post(reverse("complaints:act", args=[case.pk, "approve_plan"]), {"comment": "ok"}, follow=True)
    assert "“Approve plan” is not possible in the current state “Registered”" in response.content.decode()
    assert Complaint.objects.get(pk=case.pk).state == "registered"


def test_a_rerouted_notice_tells_an_english_taker_in_english_whom_it_was_meant_for(make_user):
    from crm.tests.factories import ProjectFactory

    lake, hill = ProjectFactory(code="lake", name="湖畔"), ProjectFactory(code="hill", name="山景")
    front = make_user("front_desk", username="front_desk")
    supervisor = make_user("cs_supervisor", username="cs_supervisor")
    outsider = make_user("project_dept", username="hill_dept", projects=[hill])
    StaffProfile.objects.filter(user=supervisor).update(language="en")
    case = complaint_register(received_by=front, kind="complaint", channel="phone", category="repairs",
                              title="漏水", description="漏水", project=lake, complainant_name="业主",
                              complainant_phone="13900000000")
    title = format_lazy(gettext_lazy("新转交的案件：{number}"), number=case.number)
    notify(recipients=[outsider], title=title, target=case, url=f"/complaints/{case.pk}/", dedupe_key="t:en")
    note = Notification.objects.get(recipient=supervisor, dedupe_key="t:en")
    assert note.title == f"Case transferred to you: {case.number}"
    assert note.body == "(Meant for hill_dept, who cannot open this record; passed to you.)"

