"""The complaint register's .xlsx is the 客户投诉登记表 (and, filtered, the 纠纷登记簿 and the
客户需求、建议受理表): every step of the case in the form's order, read back with openpyxl."""
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from complaints import services
from complaints.models import Kind, State

from .conftest import step_calls

pytestmark = pytest.mark.django_db

# The printed form's rows, in its order (print_form.html; seed 000 §4.4.1–4.4.8, seed 003 回访).
FORM_ORDER = ["编号", "受理时间", "投诉人", "联系电话", "内容", "性质", "原因分析", "责任认定", "处置方案", "方案审批",
              "处置结果", "反馈", "业主意见", "纠正和预防措施", "回访记录"]


def _export(client, **params):
    response = client.get(reverse("crm:export_register", args=["complaints"]), params)
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    header = [h.strip() if isinstance(h, str) else h for h in rows[0]]
    return header, {r[0]: dict(zip(header, r)) for r in rows[1:]}


def test_the_complaint_register_carries_the_case_itself_in_the_forms_order(client, case_in, users):
    case = case_in(State.PLAN_REJECTED)
    services.plan_submit(complaint=case, user=users["cs_staff"], content="重做防水并赔偿地板")
    case.refresh_from_db()
    services.plan_decide(complaint=case, user=users["manager"], approve=True, comment="同意第二版")
    case.refresh_from_db()
    calls = step_calls(users)
    for name in ("negotiate_agree", "execute", "feedback", "return_visit", "send_correction", "verify_correction"):
        role, call = calls[name]
        call(case, users[role])
        case.refresh_from_db()
    client.force_login(users["cs_supervisor"])
    header, rows = _export(client)
    assert [h for h in header if h in FORM_ORDER] == FORM_ORDER
    row = rows[case.number]
    assert row["内容"] == "卫生间漏水"
    assert row["性质"] == "有效"
    assert row["原因分析"] == "防水层破损" and row["责任认定"] == "施工单位"
    assert row["处置方案"] == "第2版：重做防水并赔偿地板"  # the approved version, not the rejected one
    assert "同意第二版" in row["方案审批"] and "manager" in row["方案审批"]
    assert row["磋商记录"] == "第1轮达成一致：同意"
    assert row["处置结果"] == "已修复" and row["处置时间"] is not None
    assert row["反馈"] == "已修复并告知" and row["业主意见"] == "满意"
    correction = row["纠正和预防措施"]
    assert correction.startswith("工作联系函GZLXF-") and "发往工程部：加强防水验收" in correction
    assert "验证：已落实" in correction
    assert row["回访状态"] == "已回访" and "已处理，满意度5" in row["回访记录"]


def test_an_invalid_case_shows_its_explanation_and_a_need_its_promise_and_answer(client, case_in, users):
    case = case_in(State.REGISTERED)
    services.complaint_classify(complaint=case, user=users["cs_supervisor"], valid=False, reason="属市政停水，已解释")
    need = case_in(State.REPLIED, kind=Kind.NEED)
    client.force_login(users["cs_supervisor"])
    _, rows = _export(client)
    assert rows[case.number]["性质"] == "无效：属市政停水，已解释"
    assert rows[case.number]["处置方案"] in ("", None)
    assert rows[need.number]["答复内容"] == "已答复"


def test_the_register_export_reads_the_steps_in_a_constant_number_of_queries(client, case_in, users):
    client.force_login(users["cs_supervisor"])
    case_in(State.CORRECTED)
    _export(client)  # warm: the session, the permissions and the rules are cached after the first
    with CaptureQueriesContext(connection) as one:
        _export(client)
    for _ in range(3):
        case_in(State.CORRECTED)
    with CaptureQueriesContext(connection) as four:
        _export(client)
    assert len(four.captured_queries) == len(one.captured_queries)


def test_the_export_reads_plain_values_in_chunks_and_every_case_keeps_its_own_cells(client, case_in, users,
                                                                                    monkeypatch):
    """Issue 14 §5: rows are read as values in chunks (no model instances), and a case's clocks,
    steps, unit and first responder stay with that case across chunk boundaries."""
    from complaints import registers

    monkeypatch.setattr(registers, "EXPORT_CHUNK", 2)
    cases = [case_in(State.CORRECTED) for _ in range(5)]
    client.force_login(users["cs_supervisor"])
    with CaptureQueriesContext(connection) as captured:
        _, rows = _export(client)
    for case in cases:
        row = rows[case.number]
        assert row["项目"] == case.project.name
        assert row["房号"] == (f"{case.unit.building.name}-{case.unit.number}" if case.unit else None)
        responder = case.first_responder
        assert row["首问责任人"] == (responder.get_full_name() or responder.username)
        assert row["纠正和预防措施"].startswith("工作联系函")
        assert row["回访时限"] is not None  # this case's own clock
    # Three chunks of at most two cases: one values query, one for the clocks and four for the
    # steps each; no query per case and no model instance per case.
    case_queries = [q["sql"] for q in captured.captured_queries if 'FROM "complaints_complaint"' in q["sql"]
                    and "sla" not in q["sql"]]
    clock_queries = [q["sql"] for q in captured.captured_queries if 'FROM "complaints_slaclock"' in q["sql"]]
    assert len(clock_queries) == 3
    assert len(case_queries) <= 3  # the count and the read (SQLite reads the cursor in one query)


def test_a_register_row_shows_the_return_visit_beside_the_state(as_role):
    from complaints.models import Complaint, VisitState

    client = as_role("cs_supervisor")
    due, done = Complaint.objects.order_by("pk")[:2]
    Complaint.objects.filter(pk=due.pk).update(visit_state=VisitState.DUE)
    Complaint.objects.filter(pk=done.pk).update(visit_state=VisitState.DONE)
    page = client.get("/complaints/").content.decode()
    for case, state, label in ((due, "due", "待回访"), (done, "done", "已回访")):
        row = page[page.index(f">{case.number}</a>"):]
        row = row[:row.index("</tr>")]
        assert f'<span class="badge visit-{state} ' in row and f">{label}</span>" in row


# --- Filters an export cannot apply (crm.exports.Register.filter_form) ----------------------

def test_the_complaint_register_export_refuses_invalid_filters_and_queues_nothing(client, new_case, users):
    from crm.models import Rule
    from crm.testing import export_refused

    new_case()
    Rule.objects.filter(key="crm.export_sync_max_rows").update(value=0)  # any export would be a job
    client.force_login(users["cs_supervisor"])
    assert export_refused(client, "complaints", {"received_from": "2026-02-30"}) == ["受理日期从：输入一个有效的日期。"]
    reasons = export_refused(client, "complaints", {"kind": "nonsense", "project": "abc", "q": "漏水"})
    assert [reason.split("：")[0] for reason in reasons] == ["类型", "项目"]
    assert "nonsense" in reasons[0]


def test_the_complaint_register_export_keeps_exactly_the_cases_of_a_valid_filter(client, new_case, users):
    from crm.testing import export_sheet

    complaints = {new_case().number, new_case(owner=1).number}
    need = new_case(kind=Kind.NEED, owner=2).number
    client.force_login(users["cs_supervisor"])
    header, every = export_sheet(client.get(reverse("crm:export_register", args=["complaints"])))
    assert {row[0] for row in every} == complaints | {need}
    _, asked = export_sheet(client.get(reverse("crm:export_register", args=["complaints"]), {"kind": Kind.COMPLAINT}))
    assert sorted(row[0] for row in asked) == sorted(complaints)
    assert {row[header.index("类型")] for row in asked} == {"投诉"}


def test_the_weekly_report_export_refuses_a_start_that_is_not_a_day_rather_than_export_this_week(client, users):
    from crm.testing import export_refused, export_sheet

    client.force_login(users["cs_supervisor"])
    assert export_refused(client, "complaints-weekly", {"start": "2026-02-30"}) == [
        "起始日期：起始日期应为 年-月-日，例如 2026-12-07。"]
    assert export_refused(client, "complaints-weekly", {"start": "2101-01-04"}) == [
        "起始日期：日期应在 2000 年至 2100 年之间。"]
    _, rows = export_sheet(client.get(reverse("crm:export_register", args=["complaints-weekly"]),
                                      {"start": "2025-01-06"}))
    assert rows[0][:2] == ("期间", "2025-01-06 ～ 2025-01-12")
