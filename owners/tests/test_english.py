"""The owners pages speak English to an English user (refusals, messages, the import's row
errors), while what is kept as a record (an access request's approval, the access log) is in the
office's language whoever asked."""
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation

from crm.models import ApprovalRequest, StaffProfile
from owners import services
from owners.models import AccessLog, AccessRequest, ContactLog, Customer, Project

pytestmark = pytest.mark.django_db


def _in_english(client, username):
    user = get_user_model().objects.get(username=username)
    StaffProfile.objects.filter(user=user).update(language="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client


def test_an_english_user_is_refused_a_bad_id_number_in_english_and_nothing_is_written(demo, client):
    _in_english(client, "cs_staff")
    project = Project.objects.get(code="sunshine")
    response = client.post(reverse("owners:customer_create"), {
        "name": "新客户", "phone": "13512345678", "id_number": "110101198001011237", "project": project.pk,
        "stage": "prospect", "source": "other"})
    assert "The ID number&#x27;s check digit is wrong; please check it." in response.content.decode()
    assert not Customer.objects.filter(name="新客户").exists()


def test_an_english_front_desk_gets_the_call_logged_message_in_english(demo, client):
    _in_english(client, "front_desk")
    liu = Customer.objects.get(name="刘建国")
    before = ContactLog.objects.count()
    response = client.post(reverse("owners:contact_create", args=[liu.pk]),
                           {"kind": "call", "need": "询问交房时间"}, follow=True)
    entry = ContactLog.objects.get(need="询问交房时间")
    assert ContactLog.objects.count() == before + 1
    assert f"Call or visit {entry.number} logged." in response.content.decode()


def test_an_english_users_access_request_is_answered_in_english_and_recorded_in_chinese(demo, client):
    _in_english(client, "project_dept")
    liu = Customer.objects.get(name="刘建国")  # outside the project department's scope
    response = client.post(reverse("owners:access_request_new"), {"code": liu.code, "reason": "协助处理交房遗留问题"},
                           follow=True)
    assert "Access request submitted; once approved it is valid for that day." in response.content.decode()
    request = AccessRequest.objects.get(reason="协助处理交房遗留问题")
    approval = ApprovalRequest.objects.get(object_id=request.pk, title__contains=liu.code)
    assert approval.title == f"范围外客户调阅申请：{liu.code}"
    assert approval.content.endswith(f"申请调阅 {liu.code}：协助处理交房遗留问题")
    services.access_request_decide(request_id=request.pk, user=get_user_model().objects.get(username="cs_supervisor"),
                                   approve=True)
    with translation.override("en"):
        services.out_of_scope_open(customer=liu, user=get_user_model().objects.get(username="project_dept"))
    entry = AccessLog.objects.get(what=AccessLog.What.OUT_OF_SCOPE, customer=liu)
    assert entry.reason == "已批准的调阅申请：协助处理交房遗留问题"


def test_an_import_row_error_is_english_under_an_english_request(demo):
    import tablib

    from owners import imports

    user = get_user_model().objects.get(username="cs_supervisor")
    data = tablib.Dataset(["湖畔", "", "101", "90"], headers=["项目", "楼栋", "房号", "建筑面积"])
    with translation.override("en"):
        report = imports.run_import("units", data, user=user, dry_run=True)
        lines = [str(line) for line in report.problems.lines()]
    assert any("Please enter the building" in line for line in lines), lines


def test_an_english_user_imports_the_office_file_whose_choices_are_in_chinese(demo):
    import tablib

    from owners import imports

    user = get_user_model().objects.get(username="cs_supervisor")
    data = tablib.Dataset(["英文导入", "男", "13912345670", "sunshine", "签约客户", "朋友介绍", "否"],
                          headers=["姓名", "性别", "手机", "所属项目", "客户阶段", "客户来源", "保密服务"])
    with translation.override("en"):
        report = imports.run_import("customers", data, user=user, dry_run=False)
        assert report.ok, [str(line) for line in report.problems.lines()]
    customer = Customer.objects.get(phone="13912345670")
    assert (customer.name, customer.gender, customer.stage, customer.source) == ("英文导入", "M", "signed", "referral")
