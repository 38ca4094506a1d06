import pytest
from django.urls import reverse

from owners.models import AccessLog, ContactLog, Customer

pytestmark = pytest.mark.django_db


def test_front_desk_finds_an_owner_by_last_four_digits_and_logs_a_call_from_the_result(as_role):
    client = as_role("front_desk")
    response = client.get(reverse("owners:customer_list"), {"q": "8001"})
    assert response.status_code == 200
    liu = Customer.objects.get(name="刘建国")
    content = response.content.decode()
    assert liu.code in content and "陈美玲" not in content
    assert "138****8001" in content  # front desk sees masked phones
    log_url = reverse("owners:contact_create", args=[liu.pk])
    assert log_url in content
    response = client.post(log_url, {"kind": "call", "need": "询问交房时间", "answer": "已告知", "follow_up": ""})
    assert response.status_code == 302
    entry = ContactLog.objects.get(customer=liu, need="询问交房时间")
    assert entry.need == "询问交房时间" and entry.handled_by.username == "front_desk"
    assert entry.number.startswith("LD") and entry.history.count() == 1


def test_a_call_without_a_need_is_refused_and_nothing_is_written(as_role):
    client = as_role("front_desk")
    liu = Customer.objects.get(name="刘建国")
    before = ContactLog.objects.count()
    response = client.post(reverse("owners:contact_create", args=[liu.pk]), {"kind": "call", "need": ""})
    assert response.status_code == 200
    assert "请填写客户需求" in response.content.decode()
    assert ContactLog.objects.count() == before


def test_cs_staff_must_give_a_reason_to_open_a_preference_profile_and_admin_sees_the_log(as_role, client):
    staff = as_role("cs_staff")
    liu = Customer.objects.get(name="刘建国")
    url = reverse("owners:preference_open", args=[liu.pk])
    page = staff.get(reverse("owners:customer_detail", args=[liu.pk]), {"tab": "preferences"})
    assert 'data-testid="reason-prompt"' in page.content.decode()
    assert 'data-testid="preference-profile"' not in page.content.decode()
    refused = staff.post(url, {"reason": ""})
    assert 'data-testid="preference-profile"' not in refused.content.decode()
    assert "请填写调阅原因" in refused.content.decode()
    assert not AccessLog.objects.exists()
    opened = staff.post(url, {"reason": "处理投诉需了解客户偏好"})
    assert 'data-testid="preference-profile"' in opened.content.decode()
    entry = AccessLog.objects.get()
    assert entry.user.username == "cs_staff" and entry.reason == "处理投诉需了解客户偏好"
    assert entry.what == AccessLog.What.PREFERENCE
    admin = as_role("admin")
    listing = admin.get(reverse("admin:owners_accesslog_changelist"))
    assert listing.status_code == 200 and "处理投诉需了解客户偏好" in listing.content.decode()
    # nobody can edit or delete it, not even the admin
    assert admin.get(reverse("admin:owners_accesslog_delete", args=[entry.pk])).status_code == 403
    change = admin.post(reverse("admin:owners_accesslog_change", args=[entry.pk]), {"reason": "改掉"})
    entry.refresh_from_db()
    assert entry.reason == "处理投诉需了解客户偏好"
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AccessLog.objects.filter(pk=entry.pk).update(reason="x")
    assert change.status_code in (302, 403)


def test_property_company_sees_no_phones_and_no_other_company_projects_even_by_url(as_role):
    client = as_role("property_company")
    own = Customer.objects.get(name="刘建国")  # sunshine: its company's project
    other = Customer.objects.get(name="吴海涛")  # riverside: another company
    listing = client.get(reverse("owners:customer_list")).content.decode()
    assert own.code in listing and other.code not in listing
    assert "13800138001" not in listing and "138****8001" not in listing
    detail = client.get(reverse("owners:customer_detail", args=[own.pk]))
    assert detail.status_code == 200
    body = detail.content.decode()
    assert "8001" not in body and own.id_number[-4:] not in body
    assert client.get(reverse("owners:customer_detail", args=[other.pk])).status_code == 404
    unit = other.ownerships.first().unit
    assert client.get(reverse("owners:unit_detail", args=[unit.pk])).status_code == 404
    assert client.get(reverse("owners:customer_list"), {"q": "8001"}).content.decode().count(own.code) == 0
    export = client.get(reverse("crm:export_register", args=["owners-customers"]))
    assert export.status_code == 200


def test_customer_register_export_masks_phones_for_front_desk(as_role):
    import io

    from openpyxl import load_workbook

    client = as_role("front_desk")
    response = client.get(reverse("crm:export_register", args=["owners-customers"]), {"q": "8001"})
    data = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(data)).active
    rows = list(sheet.values)
    assert rows[0][0] == "客户编码"
    assert len(rows) == 2
    assert "138****8001" in rows[1] and "13800138001" not in rows[1]


def test_create_form_flags_a_likely_duplicate_before_saving(as_role):
    client = as_role("cs_staff")
    from owners.models import Project

    project = Project.objects.get(code="sunshine")
    data = {"name": "刘建国二号", "phone": "13800138001", "project": project.pk, "stage": "prospect",
            "source": "other"}
    before = Customer.objects.count()
    response = client.post(reverse("owners:customer_create"), data)
    assert response.status_code == 200
    assert 'data-testid="duplicate-warning"' in response.content.decode()
    assert Customer.objects.count() == before
    response = client.post(reverse("owners:customer_create"), {**data, "confirm_duplicate": "on"})
    assert response.status_code == 302
    assert Customer.objects.count() == before + 1


def test_create_form_rejects_a_bad_id_checksum(as_role):
    client = as_role("cs_staff")
    from owners.models import Project

    project = Project.objects.get(code="sunshine")
    response = client.post(reverse("owners:customer_create"), {
        "name": "新客户", "phone": "13512345678", "id_number": "110101198001011237", "project": project.pk,
        "stage": "prospect", "source": "other"})
    assert "校验位不正确" in response.content.decode()
    assert not Customer.objects.filter(name="新客户").exists()


@pytest.mark.parametrize("tab", ["basics", "units", "documents", "preferences", "contacts", "cases", "history"])
def test_every_customer_tab_renders(as_role, tab):
    client = as_role("cs_staff")
    liu = Customer.objects.get(name="刘建国")
    assert client.get(reverse("owners:customer_detail", args=[liu.pk]), {"tab": tab}).status_code == 200


def test_confidential_customer_shows_a_banner(as_role):
    Customer.objects.filter(name="刘建国").update(confidential=True)
    client = as_role("cs_staff")
    liu = Customer.objects.get(name="刘建国")
    assert 'data-testid="confidential-banner"' in client.get(
        reverse("owners:customer_detail", args=[liu.pk])).content.decode()


def test_out_of_scope_access_needs_a_supervisor_approval_valid_for_the_day(as_role, client):
    from django.contrib.auth import get_user_model

    from owners.models import AccessRequest

    pd = as_role("project_dept")  # riverside only
    liu = Customer.objects.get(name="刘建国")  # sunshine
    url = reverse("owners:customer_detail", args=[liu.pk])
    assert pd.get(url).status_code == 404
    pd.post(reverse("owners:access_request_new"), {"code": liu.code, "reason": "协助处理交房遗留问题"})
    req = AccessRequest.objects.get(reason="协助处理交房遗留问题")
    assert pd.get(url).status_code == 404  # not yet approved
    sup = get_user_model().objects.get(username="cs_supervisor")
    client.force_login(sup)
    client.post(reverse("owners:access_request_decide", args=[req.pk]), {"approve": "1"})
    req.refresh_from_db()
    assert req.status == "approved"
    client.force_login(get_user_model().objects.get(username="project_dept"))
    assert client.get(url).status_code == 200
    assert AccessLog.objects.filter(what=AccessLog.What.OUT_OF_SCOPE, customer=liu).exists()


@pytest.mark.parametrize("name", ["owners:quota_report", "owners:contact_list", "owners:care_list", "owners:survey_trend", "owners:import",
                                  "owners:access_request_list"])
def test_owner_pages_render(as_role, name):
    assert as_role("cs_supervisor").get(reverse(name)).status_code == 200


def test_unit_document_scan_upload_is_checked_and_served_only_in_scope(as_role):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from owners.models import UnitDocument

    client = as_role("cs_staff")
    unit = Customer.objects.get(name="吴海涛").ownerships.first().unit  # riverside
    url = reverse("owners:unit_document_add", args=[unit.pk])
    fake = SimpleUploadedFile("scan.pdf", b"MZ not a pdf", content_type="application/pdf")
    client.post(url, {"kind": "movein_notice", "received_on": "2026-10-01", "scan": fake})
    assert not UnitDocument.objects.filter(unit=unit).exists()
    scan = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 demo", content_type="application/pdf")
    client.post(url, {"kind": "movein_notice", "received_on": "2026-10-01", "scan": scan})
    doc = UnitDocument.objects.get(unit=unit)
    assert doc.received_on.isoformat() == "2026-10-01" and doc.history.count() == 1
    served = client.get(reverse("owners:document_scan", args=[doc.pk]))
    assert served.status_code == 200 and b"".join(served.streaming_content).startswith(b"%PDF")
    outsider = as_role("property_company")  # appointed to sunshine only
    assert outsider.get(reverse("owners:document_scan", args=[doc.pk])).status_code == 404
    assert "入伙通知书" in as_role("cs_staff").get(reverse("owners:unit_detail", args=[unit.pk])).content.decode()


def test_dashboard_shows_the_visit_quota_card(as_role):
    body = as_role("front_desk").get(reverse("home")).content.decode()
    assert "本月访问指标" in body


def test_care_list_marks_greeted_and_exports(as_role):
    client = as_role("cs_staff")
    liu = Customer.objects.get(name="刘建国")
    client.post(reverse("owners:greeting_mark", args=[liu.pk]), {"occasion": "national"})
    body = client.get(reverse("owners:care_list"), {"list": "national"}).content.decode()
    assert "已问候" in body
    export = client.get(reverse("crm:export_register", args=["owners-care"]), {"list": "national"})
    assert export.status_code == 200


def test_quota_report_shows_department_and_assistant_attainment(as_role):
    body = as_role("cs_supervisor").get(reverse("owners:quota_report")).content.decode()
    assert 'data-testid="dept-quota"' in body and "王小前" in body


def test_confidential_customers_are_left_out_of_the_front_desk_list_but_not_the_staff_list(as_role):
    chen = Customer.objects.get(name="陈美玲")  # confidential in the demo data
    assert chen.confidential
    assert chen.code not in as_role("front_desk").get(reverse("owners:customer_list")).content.decode()
    assert chen.code in as_role("cs_staff").get(reverse("owners:customer_list")).content.decode()
