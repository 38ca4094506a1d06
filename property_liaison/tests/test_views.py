import datetime as dt
import io

import lxml.html
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from crm.calendar import period_end
from crm.testing import session_read_queries
from property_liaison import services
from property_liaison.models import (
    CommitteeFormation,
    PropertyAppointment,
    Rectification,
    RepairRequest,
)
from property_liaison.tests.factories import project_with_company, unit

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def _html(response):
    assert response.status_code == 200
    return lxml.html.fromstring(response.content.decode())


def _sheet(response):
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
                .iter_rows(values_only=True))
    return rows[0], rows[1:]


def _rect(staff, project):
    inspection = services.inspection_record(user=staff, project=project, kind="routine", date=TODAY(), summary="",
                                            scores={"security": (80, "")})
    finding = services.finding_add(user=staff, inspection=inspection, area="security", description="门岗脱岗",
                                   requirement="加强值守", deadline=TODAY() + dt.timedelta(days=3))
    return finding.rectifications.get()


def test_company_user_answers_own_rectification_and_gets_404_for_another_company(client, make_user):
    staff = make_user("cs_staff")
    mine, company = project_with_company()
    theirs, _ = project_with_company()
    liaison = make_user("property_company", property_company=company)
    own, other = _rect(staff, mine), _rect(staff, theirs)
    client.force_login(liaison)
    response = client.post(reverse("property_liaison:rectification_act", args=[own.pk, "answer"]),
                           {"answer": "已安排专人值守", "evidence": SimpleUploadedFile("a.png", PNG)})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.status == "answered" and own.evidence
    assert client.get(reverse("property_liaison:rectification_detail", args=[other.pk])).status_code == 404
    response = client.post(reverse("property_liaison:rectification_act", args=[other.pk, "answer"]), {"answer": "x"})
    assert response.status_code == 404
    assert Rectification.objects.get(pk=other.pk).status == "open"
    assert client.get(reverse("property_liaison:attachment", args=["rectification", own.pk])).status_code == 200
    listing = client.get(reverse("property_liaison:rectification_list")).content.decode()
    assert own.requirement in listing and f"/rectifications/{other.pk}/" not in listing


def test_company_user_cannot_verify_its_own_answer(client, make_user):
    staff = make_user("cs_staff")
    project, company = project_with_company()
    liaison = make_user("property_company", property_company=company)
    rect = _rect(staff, project)
    services.follow_up_answer(user=liaison, follow_up=rect, answer="好了")
    client.force_login(liaison)
    client.post(reverse("property_liaison:rectification_act", args=[rect.pk, "verify"]), {"note": ""})
    assert Rectification.objects.get(pk=rect.pk).status == "answered"
    page = client.get(reverse("property_liaison:rectification_detail", args=[rect.pk])).content.decode()
    assert "do-verify" not in page


def test_evidence_with_a_fake_image_is_refused(client, make_user):
    staff = make_user("cs_staff")
    project, company = project_with_company()
    liaison = make_user("property_company", property_company=company)
    rect = _rect(staff, project)
    client.force_login(liaison)
    client.post(reverse("property_liaison:rectification_act", args=[rect.pk, "answer"]),
                {"answer": "好了", "evidence": SimpleUploadedFile("a.png", b"MZ not a png")})
    assert Rectification.objects.get(pk=rect.pk).status == "open"


def test_staff_records_a_meeting_and_an_action_item(client, make_user):
    staff = make_user("cs_staff")
    project, _ = project_with_company()
    client.force_login(staff)
    response = client.post(reverse("property_liaison:meeting_create"), {
        "project": project.pk, "date": TODAY().isoformat(), "form": "meeting", "attendees": "甲",
        "minutes": "纪要", "issues_raised": ""})
    assert response.status_code == 302
    meeting = project.coordination_meetings.get()
    client.post(reverse("property_liaison:meeting_detail", args=[meeting.pk]), {
        "description": "清理屋面", "party": "property_company", "assignee": "工程部", "due_date": TODAY().isoformat()})
    assert meeting.action_items.count() == 1
    assert client.get(reverse("property_liaison:meeting_print", args=[meeting.pk])).status_code == 200


def test_future_meeting_date_is_refused_with_a_message(client, make_user):
    staff = make_user("cs_staff")
    project, _ = project_with_company()
    client.force_login(staff)
    response = client.post(reverse("property_liaison:meeting_create"), {
        "project": project.pk, "date": (TODAY() + dt.timedelta(days=3)).isoformat(), "form": "meeting",
        "attendees": "甲", "minutes": "纪要"})
    assert response.status_code == 200 and "日期不能晚于今天" in response.content.decode()
    assert not project.coordination_meetings.exists()


def test_inspection_form_refuses_a_score_above_100(client, make_user):
    staff = make_user("cs_staff")
    project, _ = project_with_company()
    client.force_login(staff)
    response = client.post(reverse("property_liaison:inspection_create"), {
        "project": project.pk, "kind": "routine", "date": TODAY().isoformat(), "score_security": 120})
    assert "得分不能超过 100" in response.content.decode()
    assert not project.inspections.exists()


def test_every_list_page_renders_for_staff_and_company(as_role):
    for role in ("cs_staff", "property_company", "cs_supervisor"):
        client = as_role(role)
        for name in ("home", "meeting_list", "action_item_list", "inspection_list", "rectification_list",
                     "score_trends", "repair_list", "warranty_ending", "repair_print"):
            assert client.get(reverse(f"property_liaison:{name}")).status_code == 200, (role, name)
    staff = as_role("cs_staff")
    for name in ("cadence_report", "committee_list"):
        assert staff.get(reverse(f"property_liaison:{name}")).status_code == 200
    assert as_role("property_company").get(reverse("property_liaison:committee_list")).status_code == 403


def test_company_user_sees_only_its_own_projects_records(as_role):
    from owners.models import Project

    client = as_role("property_company")
    riverside = Project.objects.get(code="riverside")
    other = Rectification.objects.filter(project=riverside).first()
    assert other is not None
    assert client.get(reverse("property_liaison:rectification_detail", args=[other.pk])).status_code == 404
    mine = Rectification.objects.filter(project__code="sunshine").first()
    assert client.get(reverse("property_liaison:rectification_detail", args=[mine.pk])).status_code == 200


def test_exports_are_xlsx_files(as_role):
    from property_liaison.models import ActionItem, CoordinationMeeting, Inspection

    client = as_role("cs_staff")
    expected = {"liaison-meetings": ("编号", CoordinationMeeting), "liaison-action-items": ("项目", ActionItem),
                "liaison-inspections": ("编号", Inspection), "liaison-rectifications": ("项目", Rectification),
                "liaison-repairs": ("编号", RepairRequest)}
    for code, (first_header, model) in expected.items():
        header, rows = _sheet(client.get(reverse("crm:export_register", args=[code])))
        assert header[0] == first_header, code
        assert len(rows) == model.objects.count() > 0, code


def test_exports_keep_the_page_filters_and_the_company_scope(as_role):
    from owners.models import Project

    sunshine = Project.objects.get(code="sunshine")
    header, rows = _sheet(as_role("cs_staff").get(reverse("crm:export_register", args=["liaison-rectifications"]),
                                                  {"status": "open", "project": sunshine.pk}))
    status = header.index("状态")
    assert len(rows) == Rectification.objects.filter(status="open", project=sunshine).count() > 0
    assert {row[status] for row in rows} == {"待整改"} and {row[0] for row in rows} == {sunshine.name}
    company_client = as_role("property_company")
    for code, model in (("liaison-rectifications", Rectification), ("liaison-repairs", RepairRequest)):
        header, rows = _sheet(company_client.get(reverse("crm:export_register", args=[code])))
        project = header.index("项目")
        assert {row[project] for row in rows} == {sunshine.name}, code
        assert len(rows) == model.objects.filter(project=sunshine).count()
    repairs_header, repairs = _sheet(as_role("cs_staff").get(reverse("crm:export_register", args=["liaison-repairs"]),
                                                             {"in_warranty": "false"}))
    assert len(repairs) == RepairRequest.objects.filter(in_warranty=False).count() > 0


def test_company_answers_its_own_action_item_and_gets_404_for_another_companys(client, make_user):
    from property_liaison.models import ActionItem

    staff = make_user("cs_staff")
    mine, company = project_with_company()
    theirs, _ = project_with_company()
    liaison = make_user("property_company", property_company=company)
    items = []
    for project in (mine, theirs):
        meeting = services.coordination_record(user=staff, project=project, date=TODAY(), form="meeting",
                                               attendees="甲", minutes="纪要")
        items.append(services.action_item_add(user=staff, meeting=meeting, description="修复路灯",
                                              party="property_company", assignee="工程部", due_date=TODAY()))
    own, other = items
    client.force_login(liaison)
    detail = _html(client.get(reverse("property_liaison:action_item_detail", args=[own.pk])))
    assert detail.xpath('//*[@id="do-answer"]') and not detail.xpath('//*[@id="do-verify"]')
    response = client.post(reverse("property_liaison:action_item_act", args=[own.pk, "answer"]), {"answer": "已修复"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.status == "answered" and own.answered_by == liaison
    client.post(reverse("property_liaison:action_item_act", args=[own.pk, "verify"]), {"note": ""})
    assert ActionItem.objects.get(pk=own.pk).status == "answered"
    assert client.get(reverse("property_liaison:action_item_detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("property_liaison:action_item_act", args=[other.pk, "answer"]),
                       {"answer": "x"}).status_code == 404
    assert ActionItem.objects.get(pk=other.pk).status == "open"
    assert client.get(reverse("property_liaison:meeting_detail", args=[other.meeting_id])).status_code == 404


def test_an_empty_answer_is_refused_in_chinese_and_changes_nothing(client, make_user):
    staff = make_user("cs_staff")
    project, company = project_with_company()
    liaison = make_user("property_company", property_company=company)
    rect = _rect(staff, project)
    client.force_login(liaison)
    response = client.post(reverse("property_liaison:rectification_act", args=[rect.pk, "answer"]), {"answer": ""},
                           follow=True)
    assert "这个字段是必填项。" in response.content.decode()
    rect.refresh_from_db()
    assert rect.status == "open" and rect.answered_by is None and rect.history.count() == 1


def test_cadence_report_shows_the_late_project_and_refuses_a_cadence_below_monthly(client, make_user):
    staff = make_user("cs_staff")
    late, _ = project_with_company(name="迟协调项目")
    last = TODAY() - dt.timedelta(days=35)
    services.coordination_record(user=staff, project=late, date=last, form="meeting", attendees="甲", minutes="纪要")
    client.force_login(staff)
    page = _html(client.get(reverse("property_liaison:cadence_report")))
    row = next(tr for tr in page.xpath("//tbody/tr") if "迟协调项目" in tr.text_content())
    # due a calendar month after the last coordination, moved past days off (民法典 art. 201–203)
    late_days = (TODAY() - period_end(last, months=1, deadline=True)).days
    assert late_days > 0
    assert f"逾期 {late_days} 天" in row.text_content() and "table-danger" in row.get("class")
    response = client.post(reverse("property_liaison:cadence_set", args=[late.pk]), {"cadence": "quarterly"},
                           follow=True)
    assert response.status_code == 200
    from property_liaison.models import CoordinationPlan

    assert not CoordinationPlan.objects.filter(project=late).exists()
    client.post(reverse("property_liaison:cadence_set", args=[late.pk]), {"cadence": "weekly"})
    assert CoordinationPlan.objects.get(project=late).cadence == "weekly"


def test_company_follows_only_the_complaints_it_forwarded(client, make_user):
    from complaints import services as complaint_services
    from complaints.models import Complaint

    mine, company = project_with_company()
    theirs, other_company = project_with_company()
    liaison = make_user("property_company", property_company=company)
    front = make_user("front_desk")

    def case(title, project, by=None, forwarded=None):
        return complaint_services.complaint_register(
            received_by=by or front, kind="complaint", channel="property" if forwarded else "phone",
            category="cleaning", title=title, description="x", project=project, complainant_name="业主",
            complainant_phone="13800000000", forwarded_by_company=forwarded)

    own = case("本公司转交", mine, by=liaison, forwarded=company)
    same_project_direct = case("业主直接投诉", mine)
    other = case("别家转交", theirs, forwarded=other_company)
    client.force_login(liaison)
    listing = _html(client.get(reverse("complaints:forwarded")))
    numbers = {tr.xpath("td")[0].text for tr in listing.xpath('//table[@id="forwarded-table"]/tbody/tr')}
    assert numbers == {own.number}
    for foreign in (same_project_direct, other):
        assert client.get(reverse("complaints:detail", args=[foreign.pk])).status_code in (403, 404)
    assert client.get(reverse("complaints:register")).status_code == 403
    assert Complaint.objects.count() == 3


def test_repair_page_says_at_once_whether_it_is_in_warranty(client, make_user):
    staff = make_user("cs_staff")
    project, _ = project_with_company()
    home = unit(project, delivered=TODAY() - dt.timedelta(days=4 * 365))
    client.force_login(staff)
    from property_liaison.models import WarrantyCategory

    for code, badge in (("plumbing", "已过保修期"), ("waterproofing", "保修期内")):
        response = client.post(reverse("property_liaison:repair_create"), {
            "unit": home.pk, "category": WarrantyCategory.objects.get(code=code).pk, "source": "owner",
            "location": "厨房", "description": "漏水", "reported_on": TODAY().isoformat()}, follow=True)
        page = _html(response)
        assert page.get_element_by_id("warranty").text.strip() == badge
        repair = RepairRequest.objects.get(category__code=code)
        assert f"报修 {repair.number} 已登记：{'在保修期内' if repair.in_warranty else '已过保修期'}" in response.content.decode()
    assert dict(RepairRequest.objects.values_list("category__code", "in_warranty")) == {
        "plumbing": False, "waterproofing": True}


def test_committee_page_shows_condition_day_and_notice_due(client, make_user):
    staff = make_user("cs_staff")
    project, _ = project_with_company()
    unit(project, "1-101", "100", dt.date(2025, 3, 1))
    unit(project, "1-102", "100", dt.date(2025, 6, 10))
    unit(project, "1-103", "200", None)
    client.force_login(staff)
    page = _html(client.get(reverse("property_liaison:committee_detail", args=[project.pk])))
    assert page.get_element_by_id("condition-date").text.strip() == "2025-06-10"
    assert page.get_element_by_id("notice-due").text.strip() == "2025-06-25"
    assert "已逾期，尚未报告" in page.get_element_by_id("notice-due").text_content()
    assert page.get_element_by_id("committee-step").text_content().strip() == "已具备条件，待确认"
    services.committee_notify_authorities(user=staff, formation=services.committee_refresh(project=project),
                                          on=dt.date(2025, 6, 20))
    page = _html(client.get(reverse("property_liaison:committee_detail", args=[project.pk])))
    assert page.get_element_by_id("notice-due").text_content().strip() == "2025-06-25"


def test_replacement_through_the_page_ends_the_appointment(client, make_user):
    staff = make_user("cs_staff")
    project, company = project_with_company()
    unit(project, "1-101", "100", dt.date(2025, 3, 1))
    formation = services.committee_refresh(project=project)
    CommitteeFormation.objects.filter(pk=formation.pk).update(step="registered")
    client.force_login(staff)
    client.post(reverse("property_liaison:committee_act", args=[project.pk, "replace"]),
                {"on": TODAY().isoformat(), "new_company_name": "新物业"})
    assert PropertyAppointment.objects.get(project=project).end_date == TODAY()
    assert services.coordination_status(TODAY() + dt.timedelta(days=1)) == []


def test_front_desk_cannot_open_inspections(as_role):
    assert as_role("front_desk").get(reverse("property_liaison:inspection_list")).status_code == 403


def test_every_detail_page_of_the_demo_renders(as_role):
    from property_liaison.models import ActionItem, CoordinationMeeting, Inspection

    pages = []
    for meeting in CoordinationMeeting.objects.filter(project__code="sunshine"):
        pages += [("meeting_detail", meeting.pk), ("meeting_print", meeting.pk)]
    pages += [("action_item_detail", item.pk) for item in ActionItem.objects.filter(project__code="sunshine")]
    for inspection in Inspection.objects.filter(project__code="sunshine")[:3]:
        pages += [("inspection_detail", inspection.pk), ("inspection_print", inspection.pk)]
    pages += [("rectification_detail", r.pk) for r in Rectification.objects.filter(project__code="sunshine")]
    pages += [("repair_detail", r.pk) for r in RepairRequest.objects.filter(project__code="sunshine")]
    assert len(pages) > 15
    for role in ("cs_staff", "property_company"):
        client = as_role(role)
        for name, pk in pages:
            assert client.get(reverse(f"property_liaison:{name}", args=[pk])).status_code == 200, (role, name)
    staff = as_role("cs_staff")
    for project in PropertyAppointment.objects.values_list("project_id", flat=True):
        assert staff.get(reverse("property_liaison:committee_detail", args=[project])).status_code == 200
    assert "echarts" in staff.get(reverse("property_liaison:score_trends")).content.decode()


def test_demo_has_records_in_every_state(demo):
    from property_liaison.models import ActionItem

    assert set(ActionItem.objects.values_list("status", flat=True)) == set(ActionItem.Status.values)
    assert set(Rectification.objects.values_list("status", flat=True)) == set(Rectification.Status.values)
    assert set(RepairRequest.objects.values_list("status", flat=True)) == set(RepairRequest.Status.values)
    assert Rectification.objects.filter(escalated_at__isnull=False).exists()
    assert RepairRequest.objects.filter(in_warranty=False).exists()


def test_rectification_list_query_count_does_not_grow_with_rows(client, make_user, django_assert_num_queries):
    staff = make_user("cs_staff")
    project, _ = project_with_company()
    for _ in range(8):
        _rect(staff, project)
    client.force_login(staff)
    with django_assert_num_queries(5 + session_read_queries()):
        assert client.get(reverse("property_liaison:rectification_list")).status_code == 200


def test_a_repair_from_a_case_links_back_to_the_case(client, make_user):
    from complaints import services as complaint_services
    from property_liaison.models import WarrantyCategory

    staff = make_user("cs_staff")
    project, _ = project_with_company()
    home = unit(project, delivered=TODAY() - dt.timedelta(days=100))
    case = complaint_services.complaint_register(
        received_by=staff, kind="complaint", channel="phone", category="repairs", title="厨房漏水", description="x",
        project=project, complainant_name="业主", complainant_phone="13800000000")
    client.force_login(staff)
    form = {"unit": home.pk, "category": WarrantyCategory.objects.get(code="plumbing").pk, "source": "case",
            "case_reference": "TS-NONE", "location": "厨房", "description": "漏水", "reported_on": TODAY().isoformat()}
    response = client.post(reverse("property_liaison:repair_create"), form)
    assert response.status_code == 200 and "未找到编号为 TS-NONE 的案件" in response.content.decode()
    assert not RepairRequest.objects.exists()
    response = client.post(reverse("property_liaison:repair_create"), {**form, "case_reference": case.number})
    repair = RepairRequest.objects.get()
    source = _html(client.get(reverse("property_liaison:repair_detail", args=[repair.pk]))).get_element_by_id(
        "repair-source")
    assert source.xpath("a/@href") == [reverse("complaints:detail", args=[case.pk])]


def test_developer_sends_an_answer_back_with_a_reason_from_its_own_form(client, make_user):
    staff = make_user("cs_staff")
    project, company = project_with_company()
    liaison = make_user("property_company", property_company=company)
    rect = _rect(staff, project)
    services.follow_up_answer(user=liaison, follow_up=rect, answer="好了")
    client.force_login(staff)
    page = _html(client.get(reverse("property_liaison:rectification_detail", args=[rect.pk])))
    assert page.xpath('//*[@id="id_verify_note"]') and page.xpath('//*[@id="id_reopen_note"]')
    ids = page.xpath("//@id")
    assert len(ids) == len(set(ids))
    client.post(reverse("property_liaison:rectification_act", args=[rect.pk, "reopen"]), {"note": ""})
    assert Rectification.objects.get(pk=rect.pk).status == "answered"  # a send-back needs a reason
    client.post(reverse("property_liaison:rectification_act", args=[rect.pk, "reopen"]), {"note": "仍未整改"})
    rect.refresh_from_db()
    assert rect.status == "open" and rect.verification_note == "仍未整改"


def test_registers_print_as_forms(as_role):
    from property_liaison.models import CoordinationMeeting, Inspection

    client = as_role("cs_staff")
    meeting = CoordinationMeeting.objects.filter(action_items__isnull=False).first()
    inspection = Inspection.objects.filter(findings__rectifications__isnull=False).first()
    pages = {
        reverse("property_liaison:meeting_print", args=[meeting.pk]): [meeting.number, meeting.action_items.first().description],
        reverse("property_liaison:inspection_print", args=[inspection.pk]): [
            inspection.number, Rectification.objects.filter(finding__inspection=inspection).first().requirement],
        reverse("property_liaison:repair_print"): [r.number for r in RepairRequest.objects.all()],
    }
    for url, expected in pages.items():
        page = _html(client.get(url))
        form = page.xpath('//*[contains(concat(" ", @class, " "), " print-form ")]')
        assert len(form) == 1, url
        assert form[0].xpath(".//*[@data-print]"), url
        text = form[0].text_content()
        assert all(value in text for value in expected), url


def test_rectification_list_searches_filters_paginates_and_exports_what_it_shows(client, make_user):
    staff = make_user("cs_staff")
    project, _ = project_with_company()
    for _ in range(26):
        _rect(staff, project)
    inspection = services.inspection_record(user=staff, project=project, kind="routine", date=TODAY(), summary="",
                                            scores={"greening": (60, "")})
    services.finding_add(user=staff, inspection=inspection, area="greening", description="草坪枯黄",
                         requirement="补种草皮", deadline=TODAY() + dt.timedelta(days=5))
    client.force_login(staff)
    url = reverse("property_liaison:rectification_list")
    first = _html(client.get(url))
    assert len(first.xpath("//tbody/tr")) == 25
    assert len(_html(client.get(url, {"page": 2})).xpath("//tbody/tr")) == 2
    found = _html(client.get(url, {"q": "草皮", "status": "open"}))
    rows = found.xpath("//tbody/tr")
    assert len(rows) == 1 and "补种草皮" in rows[0].text_content()
    export = found.xpath('//a[contains(@href, "/export/")]/@href')
    assert len(export) == 1 and "q=%E8%8D%89%E7%9A%AE" in export[0] and "status=open" in export[0]
    empty = _html(client.get(url, {"q": "没有这种整改"}))
    assert not empty.xpath("//tbody/tr")


# --- Dates that have happened (issue 13, defect 6) -----------------------------------------------

def _formation_row(project):
    formation = CommitteeFormation.objects.get(project=project)
    return (formation.step, formation.step_date, formation.authorities_notified_on, formation.replaced_on,
            formation.history.count())


def test_a_committee_step_before_the_previous_step_or_in_the_future_is_refused(client, make_user):
    staff = make_user("cs_staff")
    project, _ = project_with_company()
    unit(project, "1-101", "100", dt.date(2025, 3, 1))
    formation = services.committee_refresh(project=project)
    services.committee_advance(user=staff, formation=formation, step="conditions_met", on=dt.date(2025, 4, 1))
    client.force_login(staff)
    url = reverse("property_liaison:committee_act", args=[project.pk, "step"])
    before = _formation_row(project)
    body = client.post(url, {"step": "preparatory_group", "on": "2025-03-31"}, follow=True).content.decode()
    assert "本步骤日期不能早于上一步骤“已具备成立条件”的日期（2025-04-01）。" in body
    body = client.post(url, {"step": "preparatory_group", "on": (TODAY() + dt.timedelta(days=1)).isoformat()},
                       follow=True).content.decode()
    assert "日期不能晚于今天。" in body
    assert _formation_row(project) == before
    client.post(url, {"step": "preparatory_group", "on": "2025-04-01"})
    assert _formation_row(project)[:2] == ("preparatory_group", dt.date(2025, 4, 1))


def test_the_written_notice_before_the_condition_date_or_in_the_future_is_refused(client, make_user):
    staff = make_user("cs_staff")
    project, _ = project_with_company()
    unit(project, "1-101", "100", dt.date(2025, 6, 10))
    client.force_login(staff)
    url = reverse("property_liaison:committee_act", args=[project.pk, "notice"])
    services.committee_refresh(project=project)
    before = _formation_row(project)
    body = client.post(url, {"on": "2025-06-09"}, follow=True).content.decode()
    assert "书面报告日期不能早于具备成立条件的日期（2025-06-10）。" in body
    body = client.post(url, {"on": (TODAY() + dt.timedelta(days=1)).isoformat()}, follow=True).content.decode()
    assert "书面报告日期不能晚于今天。" in body
    assert _formation_row(project) == before
    client.post(url, {"on": "2025-06-10"})
    assert _formation_row(project)[2] == dt.date(2025, 6, 10)


def test_a_replacement_before_the_previous_step_or_in_the_future_is_refused(client, make_user):
    staff = make_user("cs_staff")
    project, _ = project_with_company()
    unit(project, "1-101", "100", dt.date(2025, 3, 1))
    formation = services.committee_refresh(project=project)
    CommitteeFormation.objects.filter(pk=formation.pk).update(step="registered", step_date=dt.date(2026, 1, 5))
    client.force_login(staff)
    url = reverse("property_liaison:committee_act", args=[project.pk, "replace"])
    before = _formation_row(project)
    body = client.post(url, {"on": "2026-01-04", "new_company_name": "新物业"}, follow=True).content.decode()
    assert "物业置换日期不能早于上一步骤“已备案”的日期（2026-01-05）。" in body
    body = client.post(url, {"on": (TODAY() + dt.timedelta(days=1)).isoformat(), "new_company_name": "新物业"},
                       follow=True).content.decode()
    assert "置换日期不能晚于今天。" in body
    assert _formation_row(project) == before and PropertyAppointment.objects.get(project=project).end_date is None
    client.post(url, {"on": "2026-01-05", "new_company_name": "新物业"})
    assert _formation_row(project)[3] == dt.date(2026, 1, 5)


def test_a_repair_reported_before_delivery_or_in_the_future_is_refused(client, make_user):
    from property_liaison.models import WarrantyCategory

    staff = make_user("cs_staff")
    project, _ = project_with_company()
    delivered = TODAY() - dt.timedelta(days=30)
    home = unit(project, delivered=delivered)
    client.force_login(staff)
    data = {"unit": home.pk, "category": WarrantyCategory.objects.get(code="plumbing").pk, "source": "owner",
            "location": "厨房", "description": "漏水"}
    url = reverse("property_liaison:repair_create")
    body = client.post(url, {**data, "reported_on": (delivered - dt.timedelta(days=1)).isoformat()}).content.decode()
    assert f"报修日期不能早于房号交付日期（{delivered:%Y-%m-%d}）。" in body
    body = client.post(url, {**data, "reported_on": (TODAY() + dt.timedelta(days=1)).isoformat()}).content.decode()
    assert "报修日期不能晚于今天。" in body
    assert not RepairRequest.objects.exists()
    client.post(url, {**data, "reported_on": delivered.isoformat()})
    assert RepairRequest.objects.get().reported_on == delivered


def _repair_row(repair):
    repair = RepairRequest.objects.get(pk=repair.pk)
    return (repair.status, repair.completed_on, repair.owner_confirmed_on, repair.return_visit_on,
            repair.history.count())


@pytest.mark.parametrize("action, status, previous, bound_label, label", [
    ("complete", "assigned", "reported_on", "报修日期", "完工日期"),
    ("confirm", "completed", "completed_on", "完工日期", "业主确认日期"),
    ("visit", "confirmed", "owner_confirmed_on", "业主确认日期", "回访日期"),
])
def test_a_repair_step_before_the_step_it_follows_or_in_the_future_is_refused(
        client, make_user, action, status, previous, bound_label, label):
    from property_liaison.models import WarrantyCategory

    staff = make_user("cs_staff")
    project, _ = project_with_company()
    home = unit(project, delivered=TODAY() - dt.timedelta(days=60))
    repair = services.repair_register(user=staff, unit=home, category=WarrantyCategory.objects.get(code="plumbing"),
                                      location="厨房", description="漏水", reported_on=TODAY() - dt.timedelta(days=20))
    day = None if action == "complete" else TODAY() - dt.timedelta(days=10)
    RepairRequest.objects.filter(pk=repair.pk).update(status=status, completed_on=day, owner_confirmed_on=day)
    bound = getattr(RepairRequest.objects.get(pk=repair.pk), previous)
    client.force_login(staff)
    url = reverse("property_liaison:repair_act", args=[repair.pk, action])
    before = _repair_row(repair)
    body = client.post(url, {"on": (bound - dt.timedelta(days=1)).isoformat(), "note": "情况"},
                       follow=True).content.decode()
    assert f"{label}不能早于{bound_label}（{bound:%Y-%m-%d}）。" in body
    body = client.post(url, {"on": (TODAY() + dt.timedelta(days=1)).isoformat(), "note": "情况"},
                       follow=True).content.decode()
    assert "日期不能晚于今天。" in body
    assert _repair_row(repair) == before
    client.post(url, {"on": bound.isoformat(), "note": "情况"})
    assert _repair_row(repair)[0] != status


def test_an_inspection_dated_in_the_future_is_refused_and_today_is_saved(client, make_user):
    staff = make_user("cs_staff")
    project, _ = project_with_company()
    client.force_login(staff)
    data = {"project": project.pk, "kind": "routine", "score_security": 90}
    body = client.post(reverse("property_liaison:inspection_create"),
                       {**data, "date": (TODAY() + dt.timedelta(days=1)).isoformat()}).content.decode()
    assert "检查日期不能晚于今天。" in body and not project.inspections.exists()
    client.post(reverse("property_liaison:inspection_create"), {**data, "date": TODAY().isoformat()})
    assert project.inspections.get().date == TODAY()


def test_the_cadence_report_states_the_rules_longest_interval(client, make_user):
    from crm.models import Rule

    client.force_login(make_user("cs_staff"))
    assert "最少每月一次" in client.get(reverse("property_liaison:cadence_report")).content.decode()
    row, _ = Rule.objects.get_or_create(key="liaison.coordination_max_interval_months", defaults={"value": 2})
    row.value = 2
    row.save()
    page = client.get(reverse("property_liaison:cadence_report")).content.decode()
    assert "最少每 2 个月一次" in page and "最少每月一次" not in page
