"""Excel registers: the case register (with due/actual/result per clock) and the weekly report."""
import datetime as dt
from collections import defaultdict, namedtuple
from operator import attrgetter

from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.exports import Column, Register, choice_display, register
from crm.sql import ids_in, plain_values
from owners.masking import can_see_phone, phone_for

from . import sla
from .models import Complaint, SlaClock
from .reports import report_data
from .selectors import register_list

CLOCK_COLUMNS = [(sla.TRANSFER, _("转交")), (sla.MINOR, _("轻微处置")), (sla.IMPORTANT, _("重要处置")),
                 (sla.MAJOR_ANSWER, _("重大答复")), (sla.MAJOR_RESOLVE, _("重大解决")), (sla.NEED_REPLY, _("需求答复")),
                 (sla.FEEDBACK, _("当日反馈")), (sla.RETURN_VISIT, _("回访"))]


EXPORT_CHUNK = 2000
# The case fields the register's columns read, as one values query (no model instances: building
# them was most of an export's time, issue 14 §5); a row is a CaseRow named by these fields.
EXPORT_FIELDS = ["pk", "number", "kind", "channel", "category", "received_at", "complainant_name",
                 "complainant_phone", "title", "description", "valid", "invalid_reason", "severity",
                 "major_reason", "state", "visit_state", "cause", "responsibility", "execution_result",
                 "disposed_at", "feedback_text", "owner_opinion", "promised_by", "reply_text", "satisfaction",
                 "first_responder__username", "first_responder__first_name", "first_responder__last_name",
                 "project__name", "unit__number", "unit__building__name", "forwarded_by_company__name"]
STEP_FIELDS = ["plan", "approval", "rounds", "corrections", "visits"]
CLOCK_FIELDS = [f"{code}_{part}" for code, _ in CLOCK_COLUMNS for part in ("deadline", "met_at", "result")]
# A row of the export: the case's values and, worked out once a row, what its other cells show
# (so every column is a plain attribute read: attrgetter, no Python call per cell).
CaseRow = namedtuple("CaseRow", EXPORT_FIELDS + ["responder", "unit_label", *STEP_FIELDS, *CLOCK_FIELDS,
                                                 "estimated_clocks"])
_CLOCK_AT = {code: 3 * i for i, (code, _label) in enumerate(CLOCK_COLUMNS)}  # where a clock's 3 cells go
_NO_CLOCKS = (None, None, "") * len(CLOCK_COLUMNS)
_NO_STEPS = ("",) * len(STEP_FIELDS)


def _case_rows(chunk):
    """The CaseRows of ``chunk`` (value tuples of EXPORT_FIELDS, pk first): with their clocks in
    one query and the records of their steps that the 客户投诉登记表 shows in four
    (``_steps_of``), however many records. Read as plain values (``crm.sql.plain_values``)."""
    if not chunk:
        return []
    ids = [values[0] for values in chunk]
    clocks, estimated = {}, {}  # case -> its clock cells; case -> {code: estimated} when any is
    results = {}  # clock state -> what the result column shows (SlaClock.result)
    clock_values = SlaClock.objects.filter(ids_in("complaint_id", ids)).order_by()
    for rows in plain_values(clock_values, ["complaint_id", "rule__code", "deadline", "met_at", "state", "estimated"],
                             chunk_size=4 * EXPORT_CHUNK):
        for case_id, code, deadline, met_at, state, guess in rows:
            at = _CLOCK_AT.get(code)
            if at is None:
                continue
            if state not in results:
                results[state] = SlaClock(state=state).result
            cells = clocks.get(case_id)
            if cells is None:
                cells = clocks[case_id] = list(_NO_CLOCKS)
            cells[at:at + 3] = deadline, met_at, results[state]
            if guess or case_id in estimated:
                estimated.setdefault(case_id, {})[code] = guess
    labels = [(code, str(label)) for code, label in CLOCK_COLUMNS]
    steps = _steps_of(ids)
    rows, names = [], {}  # names: of the few first responders, worked out once each
    for values in chunk:
        pk, first, last, username, unit, building = (values[0], values[_FIRST], values[_LAST], values[_USERNAME],
                                                     values[_UNIT], values[_BUILDING])
        step = steps.get(pk)
        guesses = estimated.get(pk)
        name = names.get(username)
        if name is None:
            name = names[username] = _name(first, last, username)
        rows.append(CaseRow._make((
            *values, name, f"{building}-{unit}" if unit else "",
            *(_NO_STEPS if step is None else
              (step[key] if isinstance(step[key], str) else "；".join(step[key]) for key in STEP_FIELDS)),
            *clocks.get(pk, _NO_CLOCKS),
            "、".join(label for code, label in labels if guesses.get(code)) if guesses else "")))
    return rows


_FIRST, _LAST, _USERNAME, _UNIT, _BUILDING = (EXPORT_FIELDS.index(name) for name in (
    "first_responder__first_name", "first_responder__last_name", "first_responder__username", "unit__number",
    "unit__building__name"))


def _name(first, last, username):
    """As User.get_full_name() or the username, without loading the user."""
    return f"{first or ''} {last or ''}".strip() or username or ""


def _when(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _steps_of(ids):
    """The approved disposal plan, the negotiation rounds, the corrective actions and the return
    visits of each case of ``ids`` as the text of its register cells: four queries, however
    many records (the printed form's rows, see print_form.html)."""
    from .models import CorrectiveAction, DisposalPlan, NegotiationRound, ReturnVisit

    steps = defaultdict(lambda: {"plan": "", "approval": "", "rounds": [], "corrections": [], "visits": []})
    # The plan in force: the latest approved version (a failed negotiation leads to a new one).
    for case_id, version, content, first, last, username, at, comment in (
            DisposalPlan.objects.filter(ids_in("complaint_id", ids), approval__status="approved").order_by("version")
            .values_list("complaint_id", "version", "content", "approval__decided_by__first_name",
                         "approval__decided_by__last_name", "approval__decided_by__username",
                         "approval__decided_at", "approval__comment")):
        steps[case_id]["plan"] = gettext("第{version}版：{content}").format(version=version, content=content)
        steps[case_id]["approval"] = "，".join(x for x in (_name(first, last, username), _when(at), comment) if x)
    for case_id, number, agreed, opinion in NegotiationRound.objects.filter(ids_in("complaint_id", ids)) \
            .order_by("number").values_list("complaint_id", "number", "agreed", "owner_opinion"):
        message = gettext("第{number}轮达成一致：{opinion}") if agreed else gettext("第{number}轮未达成：{opinion}")
        steps[case_id]["rounds"].append(message.format(number=number, opinion=opinion))
    methods = dict(CorrectiveAction.Method.choices)
    for case_id, method, letter, departments, action, verification, verified_at in (
            CorrectiveAction.objects.filter(ids_in("complaint_id", ids)).order_by("sent_at", "pk")
            .values_list("complaint_id", "method", "letter_number", "departments", "action", "verification",
                         "verified_at")):
        text = gettext("{method}{letter}，发往{departments}：{action}").format(
            method=methods.get(method, method), letter=letter, departments=departments, action=action)
        text += (gettext("（验证：{verification}，{when}）").format(verification=verification, when=_when(verified_at))
                 if verified_at else gettext("（待验证）"))
        steps[case_id]["corrections"].append(text)
    for case_id, at, first, last, username, handled, satisfaction, more in (
            ReturnVisit.objects.filter(ids_in("complaint_id", ids)).order_by("at", "pk")
            .values_list("complaint_id", "at", "by__first_name", "by__last_name", "by__username", "handled",
                         "satisfaction", "more_needs")):
        text = gettext("{when} {name}：{handled}，满意度{satisfaction}").format(
            when=_when(at), name=_name(first, last, username), handled=gettext("已处理") if handled else gettext("未处理"),
            satisfaction=satisfaction)
        steps[case_id]["visits"].append(text + (gettext("，其他需求：{needs}").format(needs=more) if more else ""))
    return steps  # only the cases that have records


def _nature():
    """界定性质: 有效 / 无效（向业主的解释）, blank until classified (a getter; the words are
    translated once an export, not once a row)."""
    valid, invalid = gettext("有效"), gettext("无效：{reason}")

    def nature(case):
        if case.valid is None:
            return ""
        return valid if case.valid else invalid.format(reason=case.invalid_reason)

    return nature


@register
class ComplaintRegister(Register):
    code = "complaints"
    title = _("客户投诉登记表")
    permission = "complaints.view_complaint"

    def queryset(self, user, params):
        _filters, qs = register_list(user=user, params=params)
        return qs.select_related(None)

    def filter_form(self, user, params):
        return register_list(user=user, params=params)[0]

    def rows(self, user, params):
        """CaseRows in the register's order, read in chunks as plain values with the joins done in
        SQL (a server-side cursor on PostgreSQL): memory stays flat however many cases."""
        for chunk in plain_values(self.queryset(user, params), EXPORT_FIELDS, chunk_size=EXPORT_CHUNK):
            yield from _case_rows(chunk)

    def columns(self, user):
        field = attrgetter
        # In full as a plain attribute read (no Python call per cell), else as owners.masking shows it.
        phone = field("complainant_phone") if can_see_phone(user) else (lambda c: phone_for(user, c.complainant_phone))
        cols = [
            Column(_("编号"), field("number"), 18),
            Column(_("类型"), choice_display(Complaint, "kind"), 8),
            Column(_("渠道"), choice_display(Complaint, "channel"), 8),
            Column(_("类别"), choice_display(Complaint, "category"), 10),
            Column(_("受理时间"), field("received_at"), 17),
            Column(_("首问责任人"), field("responder"), 10),
            Column(_("投诉人"), field("complainant_name"), 10),
            Column(_("联系电话"), phone, 14),
            Column(_("项目"), field("project__name"), 14),
            Column(_("房号"), field("unit_label"), 10),
            Column(_("转交物业"), field("forwarded_by_company__name"), 12),
            Column(_("摘要"), field("title"), 30),
            # The 客户投诉登记表's own rows, in the order of the printed form and the seed's steps
            # (受理登记 → 界定性质 → 调查与分析 → 处置方案及审批 → 磋商 → 处置 → 反馈 → 纠正和预防措施 → 回访).
            Column(_("内容"), field("description"), 40),
            Column(_("性质"), _nature(), 12),
            Column(_("严重程度"), choice_display(Complaint, "severity"), 8),
            Column(_("升级原因"), field("major_reason"), 20),
            Column(_("状态"), choice_display(Complaint, "state"), 10),
            Column(_("原因分析"), field("cause"), 24),
            Column(_("责任认定"), field("responsibility"), 20),
            Column(_("处置方案"), field("plan"), 40),
            Column(_("方案审批"), field("approval"), 24),
            Column(_("磋商记录"), field("rounds"), 30),
            Column(_("处置结果"), field("execution_result"), 24),
            Column(_("处置时间"), field("disposed_at"), 17),
            Column(_("反馈"), field("feedback_text"), 30),
            Column(_("业主意见"), field("owner_opinion"), 24),
            Column(_("纠正和预防措施"), field("corrections"), 40),
            Column(_("回访状态"), choice_display(Complaint, "visit_state"), 8),
            Column(_("回访记录"), field("visits"), 30),
            Column(_("满意度"), field("satisfaction"), 6),
            # 客户需求、建议受理表: the promised time and the answer of a need or suggestion.
            Column(_("承诺答复时间"), field("promised_by"), 17),
            Column(_("答复内容"), field("reply_text"), 30),
        ]
        for code, label in CLOCK_COLUMNS:
            cols += [Column(format_lazy(_("{clock}时限"), clock=label), field(f"{code}_deadline"), 17),
                     Column(format_lazy(_("{clock}实际"), clock=label), field(f"{code}_met_at"), 17),
                     Column(format_lazy(_("{clock}结果"), clock=label), field(f"{code}_result"), 8)]
        cols.append(Column(_("按预估日历"), field("estimated_clocks"), 16))
        return cols

@register
class WeeklyReportRegister(Register):
    code = "complaints-weekly"
    title = _("投诉周报")
    permission = "complaints.view_report"

    def filter_form(self, user, params):
        from crm.forms import WeekForm

        return WeekForm(params)

    def _data(self, user, params):
        start = self.filter_form(user, params).chosen(timezone.localdate())
        return report_data(start=start, end=start + dt.timedelta(days=6), user=user)

    def queryset(self, user, params):
        return None

    def count(self, user, params):
        return 1

    def rows(self, user, params):
        data = self._data(user, params)
        yield (_("期间"), f"{data['start']} ～ {data['end']}", "")
        yield (_("案件总数"), data["total"], "")
        for key, label in (("by_kind", _("类型")), ("by_severity", _("严重程度")), ("by_category", _("类别")),
                           ("by_project", _("项目")), ("by_department", _("部门"))):
            for r in data[key]:
                yield (gettext("按{label}").format(label=label), r["name"], r["value"])
        for r in data["on_time"]:
            yield (_("按时率"), r["name"], f"{r['rate']}%" if r["rate"] is not None else "—")
        for r in data.get("on_time_by_department", []):
            yield (_("部门按时率"), r["name"], f"{r['rate']}%（{r['on_time']}/{r['done']}）")
        rv = data["return_visit"]
        yield (gettext("回访率(目标{target}%)").format(target=rv["target"]), f"{rv['visited']}/{rv['disposed']}",
               f"{rv['rate']}%" if rv["rate"] is not None else "—")
        yield (_("平均满意度"), data["satisfaction"] or "—", "")
        for r in data["repeat"]:
            yield (_("重复投诉"), r["phone"], r["count"])

    def columns(self, user):
        return [Column(_("项目"), lambda r: r[0], 16), Column(_("名称"), lambda r: r[1], 24), Column(_("数值"), lambda r: r[2], 12)]
