import pytest
from django.urls import reverse

from owners.models import AccessLog, ContactLog, Customer

pytestmark = pytest.mark.django_db


def sheet_rows(response) -> list[tuple]:
    """The rows of an exported .xlsx (header first), read back with openpyxl."""
    import io

    from openpyxl import load_workbook

    assert response.status_code == 200, response
    data = b"".join(response.streaming_content)
    return [tuple("" if v is None else v for v in row) for row in load_workbook(io.BytesIO(data)).active.values]


def test_front_desk_finds_an_owner_by_last_four_digits_and_logs_a_call_from_the_result(as_role):
    client = as_role("front_desk")
    response = client.get(reverse("owners:customer_list"), {"q": "8001"})
    assert response.status_code == 200
    liu = Customer.objects.get(name="刘建国")
    content = response.content.decode()
    assert liu.code in content and "陈美玲" not in content
    assert "13800138001" in content  # front desk sees phones in full (owners.view_phone): it calls back
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
    rows = sheet_rows(client.get(reverse("crm:export_register", args=["owners-customers"])))
    assert "手机" not in rows[0] and "身份证号" not in rows[0]
    codes = {r[0] for r in rows[1:]}
    assert own.code in codes and other.code not in codes
    assert not any("8001" in str(v) for r in rows for v in r)


def tab_markers(liu):
    unit = liu.ownerships.first().unit
    return {
        "basics": "13800138001",  # cs_staff may see the full phone
        "units": reverse("owners:unit_detail", args=[unit.pk]),
        "documents": "入伙通知书",
        "preferences": 'data-testid="reason-prompt"',
        "contacts": "询问产权证办理进度",
        "cases": 'data-testid="case-table"',
        "history": "变更内容",
    }


@pytest.mark.parametrize("tab", ["basics", "units", "documents", "preferences", "contacts", "cases", "history"])
def test_every_customer_tab_shows_its_own_content_and_no_other(as_role, tab):
    client = as_role("cs_staff")
    liu = Customer.objects.get(name="刘建国")
    response = client.get(reverse("owners:customer_detail", args=[liu.pk]), {"tab": tab})
    body = response.content.decode()
    markers = tab_markers(liu)
    assert response.status_code == 200 and response.context["tab"] == tab
    assert markers.pop(tab) in body
    assert [t for t, marker in markers.items() if marker in body] == []


def test_cases_tab_links_the_customers_complaints_and_is_hidden_from_roles_without_complaints(as_role):
    from complaints.models import Complaint

    liu = Customer.objects.get(name="刘建国")
    case = Complaint.objects.filter(customer=liu).order_by("-received_at").first()
    other = Complaint.objects.exclude(customer=liu).first()
    body = as_role("cs_staff").get(reverse("owners:customer_detail", args=[liu.pk]), {"tab": "cases"}).content.decode()
    assert reverse("complaints:detail", args=[case.pk]) in body and case.number in body
    assert other.number not in body
    hidden = as_role("finance").get(reverse("owners:customer_detail", args=[liu.pk]), {"tab": "cases"})
    assert hidden.context["tab"] == "basics" and case.number not in hidden.content.decode()
    assert "cases" not in dict(hidden.context["tabs"])
    from owners.selectors import customer_cases

    assert customer_cases(hidden.context["user"], liu) is None


def test_confidential_customer_shows_a_banner(as_role):
    Customer.objects.filter(name="刘建国").update(confidential=True)
    client = as_role("cs_staff")
    liu = Customer.objects.get(name="刘建国")
    assert 'data-testid="confidential-banner"' in client.get(
        reverse("owners:customer_detail", args=[liu.pk])).content.decode()
    wu = Customer.objects.get(name="吴海涛")  # not confidential
    assert 'data-testid="confidential-banner"' not in client.get(
        reverse("owners:customer_detail", args=[wu.pk])).content.decode()


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
    entry = AccessLog.objects.get(what=AccessLog.What.OUT_OF_SCOPE, customer=liu)
    assert entry.user.username == "project_dept" and entry.reason == "已批准的调阅申请：协助处理交房遗留问题"
    # the list and searches still leave the customer out: the approval opens the record, nothing more
    assert list(client.get(reverse("owners:customer_list"), {"q": liu.code}).context["page_obj"]) == []


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


def test_care_list_marks_greeted_and_exports(as_role):
    client = as_role("cs_staff")
    liu = Customer.objects.get(name="刘建国")
    client.post(reverse("owners:greeting_mark", args=[liu.pk]), {"occasion": "national"})
    body = client.get(reverse("owners:care_list"), {"list": "national"}).content.decode()
    assert "已问候" in body
    rows = sheet_rows(client.get(reverse("crm:export_register", args=["owners-care"]), {"list": "national"}))
    assert rows[0][-1] == "已问候"
    greeted = {r[1]: r[-1] for r in rows[1:]}
    assert greeted[liu.code] == "是"
    assert set(greeted.values()) == {"是", "否"}  # the other signed and resident owners are still to greet


def test_confidential_customers_are_left_out_of_the_front_desk_list_but_not_the_staff_list(as_role):
    chen = Customer.objects.get(name="陈美玲")  # confidential in the demo data
    assert chen.confidential
    assert chen.code not in as_role("front_desk").get(reverse("owners:customer_list")).content.decode()
    assert chen.code in as_role("cs_staff").get(reverse("owners:customer_list")).content.decode()


def test_dashboard_cards_show_this_months_visits_against_the_admin_quotas(as_role):
    from django.core.cache import cache

    from crm.models import Rule
    from crm.rules import forget

    client = as_role("front_desk")  # the demo has 王小前 visit the four sunshine owners on the 1st
    cards = {c.title: c for c in client.get(reverse("home")).context["cards"]}
    mine = cards["本月访问指标（本人）"]
    assert (mine.count, mine.note, mine.level) == (4, "指标 20 户，完成 20%", "warning")
    dept = next(c for t, c in cards.items() if t.startswith("本月访问指标（") and t != "本月访问指标（本人）")
    assert (dept.count, dept.note) == (4, "指标 10 户，完成 40%")
    Rule.objects.filter(key="owners.visit_quota_assistant").update(value=4)
    forget("owners.visit_quota_assistant")
    cache.clear()  # the home page keeps its cards for a minute
    cards = {c.title: c for c in client.get(reverse("home")).context["cards"]}
    assert (cards["本月访问指标（本人）"].note, cards["本月访问指标（本人）"].level) == ("指标 4 户，完成 100%", "primary")


def test_quota_report_shows_each_department_and_assistant_row_with_its_numbers(as_role):
    response = as_role("cs_supervisor").get(reverse("owners:quota_report"))
    assistants = {a["name"]: a for a in response.context["assistants"]}
    assert (assistants["王小前"]["count"], assistants["王小前"]["quota"], assistants["王小前"]["percent"]) == (4, 20, 20)
    departments = response.context["departments"]
    assert [(d["count"], d["quota"], d["met"]) for d in departments] == [(4, 10, False)]
    body = response.content.decode()
    assert "<td>王小前</td><td>4</td><td>20</td>" in body


def test_property_company_is_kept_out_of_the_care_list_and_quotas_everywhere(as_role):
    from owners.permissions import can_see_care_list

    client = as_role("property_company")
    user = client.get(reverse("owners:customer_list")).context["user"]
    assert not can_see_care_list(user)
    liu = Customer.objects.get(name="刘建国")  # in its own project
    assert client.get(reverse("owners:care_list")).status_code == 403
    assert client.get(reverse("owners:quota_report")).status_code == 403
    assert client.get(reverse("crm:export_register", args=["owners-care"])).status_code == 403
    assert client.post(reverse("owners:greeting_mark", args=[liu.pk]), {"occasion": "spring"}).status_code == 403
    listing = client.get(reverse("owners:customer_list")).content.decode()
    assert reverse("owners:care_list") not in listing and reverse("owners:quota_report") not in listing
    staff_listing = as_role("cs_staff").get(reverse("owners:customer_list")).content.decode()
    assert reverse("owners:care_list") in staff_listing and reverse("owners:quota_report") in staff_listing


@pytest.mark.parametrize("params, expected", [
    ({"stage": "prospect"}, {"周文斌", "孙雅琴"}),
    ({"source": "online"}, {"孙雅琴"}),
    ({"confidential": "true"}, {"陈美玲"}),
    ({"stage": "signed", "project": "riverside"}, {"吴海涛"}),
    ({"q": "C999999"}, set()),
])
def test_customer_list_filters_by_project_stage_source_and_confidential(as_role, params, expected):
    from owners.models import Project

    if "project" in params:
        params = {**params, "project": Project.objects.get(code=params["project"]).pk}
    response = as_role("cs_staff").get(reverse("owners:customer_list"), params)
    assert {c.name for c in response.context["page_obj"]} == expected
    if not expected:
        assert "没有符合筛选条件的记录" in response.content.decode()


def test_a_visit_is_logged_from_the_customer_page_and_a_future_date_is_refused(as_role):
    import datetime as dt

    from django.utils import timezone

    from owners.models import CustomerVisit

    client = as_role("front_desk")
    wu = Customer.objects.get(name="吴海涛")
    url = reverse("owners:visit_create", args=[wu.pk])
    before = CustomerVisit.objects.count()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    refused = client.post(url, {"visited_on": tomorrow.isoformat(), "method": "home", "opinions": "好",
                                "satisfaction": "5"})
    assert refused.status_code == 200 and "访问日期不能晚于今天" in refused.content.decode()
    assert CustomerVisit.objects.count() == before
    done = client.post(url, {"visited_on": timezone.localdate().isoformat(), "method": "home",
                             "opinions": "希望增加儿童游乐设施", "satisfaction": "4"})
    assert done.status_code == 302
    visit = CustomerVisit.objects.get(customer=wu, opinions="希望增加儿童游乐设施")
    assert (visit.visitor.username, visit.method, visit.satisfaction, visit.project) == ("front_desk", "home", 4,
                                                                                         wu.project)
    assert visit.department == visit.visitor.profile.department and visit.history.count() == 1


def test_unit_page_lists_its_owners_and_the_document_checklist(as_role):
    from owners.models import UnitDocument

    liu = Customer.objects.get(name="刘建国")
    unit = liu.ownerships.first().unit
    response = as_role("cs_staff").get(reverse("owners:unit_detail", args=[unit.pk]))
    body = response.content.decode()
    assert reverse("owners:customer_detail", args=[liu.pk]) in body and "刘建国" in body
    checklist = response.context["checklist"]
    assert [label for _, label, _ in checklist] == [str(label) for _, label in UnitDocument.Kind.choices]
    assert {value for value, _, doc in checklist if doc} == {"movein_notice", "handover_permit", "sales_contract",
                                                             "handover_confirm"}


def test_property_company_gets_only_the_tabs_it_may_use_and_no_contact_log_by_url(as_role):
    liu = Customer.objects.get(name="刘建国")
    url = reverse("owners:customer_detail", args=[liu.pk])
    client = as_role("property_company")
    response = client.get(url, {"tab": "contacts"})
    assert [code for code, _ in response.context["tabs"]] == ["basics", "units", "documents", "history"]
    assert response.context["tab"] == "basics"
    assert "询问产权证办理进度" not in response.content.decode()
    staff = as_role("cs_staff").get(url)
    assert [code for code, _ in staff.context["tabs"]] == [
        "basics", "units", "documents", "preferences", "contacts", "cases", "history"]


def test_a_call_logged_afterwards_keeps_its_time_and_a_future_time_is_refused(as_role):
    import datetime as dt

    from django.utils import timezone

    client = as_role("front_desk")
    wu = Customer.objects.get(name="吴海涛")
    url = reverse("owners:contact_create", args=[wu.pk])
    before = ContactLog.objects.count()
    later = timezone.localtime() + dt.timedelta(hours=2)
    refused = client.post(url, {"kind": "call", "need": "补登", "occurred_at": later.strftime("%Y-%m-%dT%H:%M")})
    assert refused.status_code == 200 and "来电来访时间不能晚于现在" in refused.content.decode()
    assert ContactLog.objects.count() == before
    earlier = (timezone.localtime() - dt.timedelta(days=1)).replace(second=0, microsecond=0)
    assert client.post(url, {"kind": "visit", "need": "补登昨日来访", "occurred_at": earlier.strftime("%Y-%m-%dT%H:%M")
                             }).status_code == 302
    entry = ContactLog.objects.get(need="补登昨日来访")
    assert (entry.occurred_at, entry.kind, entry.caller_phone) == (earlier, "visit", wu.phone)


def test_a_changed_preference_is_saved_with_its_history_and_shown_at_the_next_opening(as_role):
    from owners.models import PreferenceProfile

    liu = Customer.objects.get(name="刘建国")
    client = as_role("cs_staff")
    opened = client.post(reverse("owners:preference_open", args=[liu.pk]), {"reason": "处理投诉需了解过敏情况"})
    form = opened.context["preference_form"]
    assert form.initial["allergies"] == "花粉"
    entries = PreferenceProfile.objects.get(customer=liu).history.count()
    data = {name: form.initial.get(name) or "" for name in form.fields}
    response = client.post(reverse("owners:preference_edit", args=[liu.pk]), {**data, "allergies": "对花生过敏"},
                           follow=True)
    assert "客情档案已保存" in response.content.decode()
    stored = PreferenceProfile.objects.get(customer=liu)
    assert (stored.allergies, stored.dietary, stored.language) == ("对花生过敏", "不吃辣", "普通话")
    assert stored.history.count() == entries + 1
    entry = stored.history.first()
    assert entry.history_user.username == "cs_staff" and entry.allergies == "对花生过敏"
    again = client.post(reverse("owners:preference_open", args=[liu.pk]), {"reason": "再次核对"}).content.decode()
    assert "对花生过敏" in again and "花粉" not in again


def test_a_document_received_in_the_future_is_refused_and_today_is_saved(as_role):
    import datetime as dt

    from django.utils import timezone

    from owners.models import UnitDocument

    client = as_role("cs_staff")
    unit = Customer.objects.get(name="吴海涛").ownerships.first().unit
    url = reverse("owners:unit_document_add", args=[unit.pk])
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    body = client.post(url, {"kind": "meter_confirm", "received_on": tomorrow.isoformat()}, follow=True)
    assert "收到日期不能晚于今天。" in body.content.decode()
    assert not UnitDocument.objects.filter(unit=unit, kind="meter_confirm").exists()
    client.post(url, {"kind": "meter_confirm", "received_on": timezone.localdate().isoformat()})
    assert UnitDocument.objects.get(unit=unit, kind="meter_confirm").received_on == timezone.localdate()


def test_a_survey_dated_in_the_future_is_refused_and_today_is_saved(as_role):
    import datetime as dt

    from django.utils import timezone

    from owners.models import SatisfactionSurvey

    client = as_role("cs_staff")
    wu = Customer.objects.get(name="吴海涛")
    url = reverse("owners:survey_create", args=[wu.pk])
    before = SatisfactionSurvey.objects.filter(customer=wu).count()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    body = client.post(url, {"surveyed_on": tomorrow.isoformat(), "score_service": "4"}).content.decode()
    assert "调查日期不能晚于今天。" in body
    assert SatisfactionSurvey.objects.filter(customer=wu).count() == before
    assert client.post(url, {"surveyed_on": timezone.localdate().isoformat(), "score_service": "4"}).status_code == 302
    assert SatisfactionSurvey.objects.filter(customer=wu, surveyed_on=timezone.localdate()).count() == 1


def test_a_care_list_name_that_is_not_one_shows_the_default_list_and_says_so(as_role):
    page = as_role("cs_staff").get(reverse("owners:care_list"), {"list": "chunjie"})
    text = page.content.decode()
    assert page.status_code == 200 and page.context["view"] == "birthday7"
    assert 'data-testid="filter-errors"' in text and "名单有误" in text and "没有这个名单：chunjie" in text
    fine = as_role("cs_staff").get(reverse("owners:care_list"), {"list": "national"})
    assert fine.context["view"] == "national" and 'data-testid="filter-errors"' not in fine.content.decode()


@pytest.mark.parametrize("next_url,lands", [
    ("/owners/care/?list=national", "/owners/care/?list=national"),
    ("/\\evil.example/", "/owners/care/"), ("//evil.example/", "/owners/care/"),
    ("https://evil.example/", "/owners/care/"),
])
def test_a_greeting_returns_to_the_care_list_it_came_from_and_never_off_the_site(as_role, next_url, lands):
    from owners.models import Greeting

    liu = Customer.objects.get(name="刘建国")
    response = as_role("cs_staff").post(reverse("owners:greeting_mark", args=[liu.pk]),
                                        {"occasion": "national", "next": next_url})
    assert response.status_code == 302 and response["Location"] == lands
    assert Greeting.objects.filter(customer=liu, occasion="national").exists()
