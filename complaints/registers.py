"""Excel registers: the case register (with due/actual/result per clock) and the weekly report."""
import datetime as dt

from django.utils import timezone

from crm.exports import Column, Register, choice_display, register
from crm.scopes import has_role

from . import sla
from .models import Complaint, SlaClock
from .selectors import register_list, report_data

CLOCK_COLUMNS = [(sla.TRANSFER, "转交"), (sla.MINOR, "轻微处置"), (sla.IMPORTANT, "重要处置"),
                 (sla.MAJOR_ANSWER, "重大答复"), (sla.MAJOR_RESOLVE, "重大解决"), (sla.NEED_REPLY, "需求答复"),
                 (sla.FEEDBACK, "当日反馈"), (sla.RETURN_VISIT, "回访")]


def _clock(row, code):
    cache = getattr(row, "_clock_map", None)
    if cache is None:
        cache = row._clock_map = {c.rule.code: c for c in row.clocks.all()}
    return cache.get(code)


EXPORT_CHUNK = 2000
EXPORT_FIELDS = ["number", "kind", "channel", "category", "received_at", "complainant_name", "complainant_phone",
                 "title", "description", "valid", "invalid_reason", "severity", "major_reason", "state",
                 "visit_state", "cause", "responsibility", "execution_result", "disposed_at", "feedback_text",
                 "owner_opinion", "promised_by", "reply_text", "satisfaction",
                 "first_responder__username", "first_responder__first_name", "first_responder__last_name",
                 "project__name", "unit__number", "unit__building__name", "forwarded_by_company__name"]


class _ClockCells:
    __slots__ = ("deadline", "met_at", "result", "estimated")

    def __init__(self, deadline, met_at, result, estimated=False):
        self.deadline, self.met_at, self.result, self.estimated = deadline, met_at, result, estimated


def _attach_clocks(chunk):
    """Give each case of ``chunk`` the ``_clock_map`` that ``_clock`` reads, in one query, and the
    records of its steps that the 客户投诉登记表 shows (``_attach_steps``)."""
    if not chunk:
        return chunk
    maps = {case.pk: {} for case in chunk}
    results = {}  # clock state -> what the result column shows (SlaClock.result)
    for case_id, code, deadline, met_at, state, estimated in SlaClock.objects.filter(
            complaint_id__in=list(maps)).order_by().values_list(
            "complaint_id", "rule__code", "deadline", "met_at", "state", "estimated"):
        if state not in results:
            results[state] = SlaClock(state=state).result
        maps[case_id][code] = _ClockCells(deadline, met_at, results[state], estimated)
    for case in chunk:
        case._clock_map = maps[case.pk]
    return _attach_steps(chunk)


def _name(first, last, username):
    """As User.get_full_name() or the username, without loading the user."""
    return f"{first or ''} {last or ''}".strip() or username or ""


def _when(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _attach_steps(chunk):
    """The approved disposal plan, the negotiation rounds, the corrective actions and the return
    visits of each case of ``chunk`` as the text of its register cells: four queries a chunk,
    however many records (the printed form's rows, see print_form.html)."""
    from .models import CorrectiveAction, DisposalPlan, NegotiationRound, ReturnVisit

    ids = [case.pk for case in chunk]
    steps = {pk: {"plan": "", "approval": "", "rounds": [], "corrections": [], "visits": []} for pk in ids}
    # The plan in force: the latest approved version (a failed negotiation leads to a new one).
    for case_id, version, content, first, last, username, at, comment in (
            DisposalPlan.objects.filter(complaint_id__in=ids, approval__status="approved").order_by("version")
            .values_list("complaint_id", "version", "content", "approval__decided_by__first_name",
                         "approval__decided_by__last_name", "approval__decided_by__username",
                         "approval__decided_at", "approval__comment")):
        steps[case_id]["plan"] = f"第{version}版：{content}"
        steps[case_id]["approval"] = "，".join(x for x in (_name(first, last, username), _when(at), comment) if x)
    for case_id, number, agreed, opinion in NegotiationRound.objects.filter(complaint_id__in=ids) \
            .order_by("number").values_list("complaint_id", "number", "agreed", "owner_opinion"):
        steps[case_id]["rounds"].append(f"第{number}轮{'达成一致' if agreed else '未达成'}：{opinion}")
    methods = dict(CorrectiveAction.Method.choices)
    for case_id, method, letter, departments, action, verification, verified_at in (
            CorrectiveAction.objects.filter(complaint_id__in=ids).order_by("sent_at", "pk")
            .values_list("complaint_id", "method", "letter_number", "departments", "action", "verification",
                         "verified_at")):
        text = f"{methods.get(method, method)}{letter}，发往{departments}：{action}"
        text += f"（验证：{verification}，{_when(verified_at)}）" if verified_at else "（待验证）"
        steps[case_id]["corrections"].append(text)
    for case_id, at, first, last, username, handled, satisfaction, more in (
            ReturnVisit.objects.filter(complaint_id__in=ids).order_by("at", "pk")
            .values_list("complaint_id", "at", "by__first_name", "by__last_name", "by__username", "handled",
                         "satisfaction", "more_needs")):
        text = f"{_when(at)} {_name(first, last, username)}：{'已处理' if handled else '未处理'}，满意度{satisfaction}"
        steps[case_id]["visits"].append(text + (f"，其他需求：{more}" if more else ""))
    for case in chunk:
        case._steps = steps[case.pk]
    return chunk


def _estimated_clocks(case) -> str:
    """The clocks whose deadline was counted over a year not yet confirmed (按预估日历)."""
    return "、".join(label for code, label in CLOCK_COLUMNS if getattr(_clock(case, code), "estimated", False))


def _step(case, key):
    if not hasattr(case, "_steps"):  # a case that did not come through rows()
        _attach_steps([case])
    value = case._steps[key]
    return "；".join(value) if isinstance(value, list) else value


def _nature(case):
    """界定性质: 有效 / 无效（向业主的解释）, blank until classified."""
    if case.valid is None:
        return ""
    return "有效" if case.valid else f"无效：{case.invalid_reason}"


def _mask(phone):
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else phone


@register
class ComplaintRegister(Register):
    code = "complaints"
    title = "客户投诉登记表"
    permission = "complaints.view_complaint"

    def queryset(self, user, params):
        _, qs = register_list(user=user, params=params)
        # Only the relations and fields the columns read (a third of the export's time is
        # building model instances): the list page's handler and department are not exported.
        return qs.select_related(None).select_related(
            "first_responder", "project", "unit__building", "forwarded_by_company").only(*EXPORT_FIELDS)

    def rows(self, user, params):
        """Cases in chunks; each chunk's clocks in one values query (no clock instances)."""
        chunk = []
        for case in self.queryset(user, params).iterator(chunk_size=EXPORT_CHUNK):
            chunk.append(case)
            if len(chunk) == EXPORT_CHUNK:
                yield from _attach_clocks(chunk)
                chunk = []
        yield from _attach_clocks(chunk)

    def columns(self, user):
        full_phone = user.has_perm("owners.view_identity") or has_role(user, "admin", "front_desk")
        cols = [
            Column("编号", lambda c: c.number, 18),
            Column("类型", choice_display(Complaint, "kind"), 8),
            Column("渠道", choice_display(Complaint, "channel"), 8),
            Column("类别", choice_display(Complaint, "category"), 10),
            Column("受理时间", lambda c: c.received_at, 17),
            Column("首问责任人", lambda c: c.first_responder.get_full_name() or c.first_responder.username, 10),
            Column("投诉人", lambda c: c.complainant_name, 10),
            Column("联系电话", (lambda c: c.complainant_phone) if full_phone else (lambda c: _mask(c.complainant_phone)), 14),
            Column("项目", lambda c: c.project.name, 14),
            Column("房号", lambda c: str(c.unit) if c.unit else "", 10),
            Column("转交物业", lambda c: str(c.forwarded_by_company or ""), 12),
            Column("摘要", lambda c: c.title, 30),
            # The 客户投诉登记表's own rows, in the order of the printed form and the seed's steps
            # (受理登记 → 界定性质 → 调查与分析 → 处置方案及审批 → 磋商 → 处置 → 反馈 → 纠正和预防措施 → 回访).
            Column("内容", lambda c: c.description, 40),
            Column("性质", _nature, 12),
            Column("严重程度", choice_display(Complaint, "severity"), 8),
            Column("升级原因", lambda c: c.major_reason, 20),
            Column("状态", choice_display(Complaint, "state"), 10),
            Column("原因分析", lambda c: c.cause, 24),
            Column("责任认定", lambda c: c.responsibility, 20),
            Column("处置方案", lambda c: _step(c, "plan"), 40),
            Column("方案审批", lambda c: _step(c, "approval"), 24),
            Column("磋商记录", lambda c: _step(c, "rounds"), 30),
            Column("处置结果", lambda c: c.execution_result, 24),
            Column("处置时间", lambda c: c.disposed_at, 17),
            Column("反馈", lambda c: c.feedback_text, 30),
            Column("业主意见", lambda c: c.owner_opinion, 24),
            Column("纠正和预防措施", lambda c: _step(c, "corrections"), 40),
            Column("回访状态", choice_display(Complaint, "visit_state"), 8),
            Column("回访记录", lambda c: _step(c, "visits"), 30),
            Column("满意度", lambda c: c.satisfaction, 6),
            # 客户需求、建议受理表: the promised time and the answer of a need or suggestion.
            Column("承诺答复时间", lambda c: c.promised_by, 17),
            Column("答复内容", lambda c: c.reply_text, 30),
        ]
        for code, label in CLOCK_COLUMNS:
            cols += [
                Column(f"{label}时限", lambda c, code=code: getattr(_clock(c, code), "deadline", None), 17),
                Column(f"{label}实际", lambda c, code=code: getattr(_clock(c, code), "met_at", None), 17),
                Column(f"{label}结果", lambda c, code=code: _clock(c, code).result if _clock(c, code) else "", 8),
            ]
        cols.append(Column("按预估日历", _estimated_clocks, 16))
        return cols

@register
class WeeklyReportRegister(Register):
    code = "complaints-weekly"
    title = "投诉周报"
    permission = "complaints.view_report"

    def _data(self, user, params):
        try:
            start = dt.date.fromisoformat(params.get("start", ""))
        except ValueError:
            today = timezone.localdate()
            start = today - dt.timedelta(days=today.weekday())
        return report_data(start=start, end=start + dt.timedelta(days=6), user=user)

    def queryset(self, user, params):
        return None

    def count(self, user, params):
        return 1

    def rows(self, user, params):
        data = self._data(user, params)
        yield ("期间", f"{data['start']} ～ {data['end']}", "")
        yield ("案件总数", data["total"], "")
        for key, label in (("by_kind", "类型"), ("by_severity", "严重程度"), ("by_category", "类别"),
                           ("by_project", "项目"), ("by_department", "部门")):
            for r in data[key]:
                yield (f"按{label}", r["name"], r["value"])
        for r in data["on_time"]:
            yield ("按时率", r["name"], f"{r['rate']}%" if r["rate"] is not None else "—")
        for r in data.get("on_time_by_department", []):
            yield ("部门按时率", r["name"], f"{r['rate']}%（{r['on_time']}/{r['done']}）")
        rv = data["return_visit"]
        yield ("回访率(目标100%)", f"{rv['visited']}/{rv['disposed']}", f"{rv['rate']}%" if rv["rate"] is not None else "—")
        yield ("平均满意度", data["satisfaction"] or "—", "")
        for r in data["repeat"]:
            yield ("重复投诉", r["phone"], r["count"])

    def columns(self, user):
        return [Column("项目", lambda r: r[0], 16), Column("名称", lambda r: r[1], 24), Column("数值", lambda r: r[2], 12)]
