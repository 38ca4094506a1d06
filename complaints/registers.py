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
                 "title", "severity", "major_reason", "state", "cause", "execution_result", "satisfaction",
                 "first_responder__username", "first_responder__first_name", "first_responder__last_name",
                 "project__name", "unit__number", "unit__building__name", "forwarded_by_company__name"]


class _ClockCells:
    __slots__ = ("deadline", "met_at", "result")

    def __init__(self, deadline, met_at, result):
        self.deadline, self.met_at, self.result = deadline, met_at, result


def _attach_clocks(chunk):
    """Give each case of ``chunk`` the ``_clock_map`` that ``_clock`` reads, in one query."""
    if not chunk:
        return chunk
    maps = {case.pk: {} for case in chunk}
    results = {}  # clock state -> what the result column shows (SlaClock.result)
    for case_id, code, deadline, met_at, state in SlaClock.objects.filter(complaint_id__in=list(maps)).order_by() \
            .values_list("complaint_id", "rule__code", "deadline", "met_at", "state"):
        if state not in results:
            results[state] = SlaClock(state=state).result
        maps[case_id][code] = _ClockCells(deadline, met_at, results[state])
    for case in chunk:
        case._clock_map = maps[case.pk]
    return chunk


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
            Column("严重程度", choice_display(Complaint, "severity"), 8),
            Column("升级原因", lambda c: c.major_reason, 20),
            Column("状态", choice_display(Complaint, "state"), 10),
            Column("原因分析", lambda c: c.cause, 24),
            Column("处置结果", lambda c: c.execution_result, 24),
            Column("满意度", lambda c: c.satisfaction, 6),
        ]
        for code, label in CLOCK_COLUMNS:
            cols += [
                Column(f"{label}时限", lambda c, code=code: getattr(_clock(c, code), "deadline", None), 17),
                Column(f"{label}实际", lambda c, code=code: getattr(_clock(c, code), "met_at", None), 17),
                Column(f"{label}结果", lambda c, code=code: _clock(c, code).result if _clock(c, code) else "", 8),
            ]
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
