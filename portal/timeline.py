"""What an owner sees of a case's timeline, declared per entry type (``TimelineEntry.kind``).

Every kind not named here stays internal: investigation and responsibility, plan drafts and
the approval's decisions, corrective actions, clocks and their pauses, events, internal notes,
and anything a new transition adds until it is declared here. A kind is shown either with
a fixed sentence in plain words (``label``: the entry's own text may name staff or internal
findings) or with its text (``text``: written for the owner: a reply, the result, the owner's
own words, stored as typed). ``own`` entries are shown only when the owner made them (their photos)."""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Shown:
    label: str
    text: bool = False  # show the entry's own text after the label
    own: bool = False  # only the owner's own entries


OWNER_TIMELINE: dict[str, Shown] = {
    "register": Shown(_("已受理")),
    "transfer": Shown(_("已转交责任部门处理")),
    "classify_valid": Shown(_("经核实，已确认受理")),
    "classify_invalid": Shown(_("经核实，不属于受理范围")),
    "approve_plan": Shown(_("处理方案已确定，请您确认")),
    "negotiate_agree": Shown(_("方案已达成一致")),
    "negotiate_fail": Shown(_("方案未达成一致，我们将调整方案")),
    "execute": Shown(_("已处理")),
    "feedback": Shown(_("已向您反馈处理结果")),
    "return_visit": Shown(_("回访已完成")),
    "reopen": Shown(_("已重新安排处理")),
    "reply": Shown(_("已答复")),
    "close": Shown(_("已办结")),
    "attachment": Shown(_("您补充了照片"), own=True),
    "owner_reply": Shown(_("客服回复"), text=True),
    "owner_comment": Shown(_("您的补充说明"), text=True),
    "owner_chase": Shown(_("您催办了本案件")),
}


@dataclass(frozen=True)
class Line:
    at: object
    label: str
    text: str = ""


def owner_lines(entries, user) -> list[Line]:
    """The entries an owner may see, in plain words, oldest first."""
    lines = []
    for entry in entries:
        shown = OWNER_TIMELINE.get(entry.kind)
        if shown is None or (shown.own and entry.actor_id != user.pk):
            continue
        lines.append(Line(entry.at, shown.label, entry.text if shown.text else ""))
    return lines


# The case's state in plain words, and what happens next.
PLAIN_STATE = {
    "registered": (_("已受理"), _("客服将尽快核实情况，安排专人处理。")),
    "transferred": (_("处理中"), _("已转交责任部门，正在核实情况。")),
    "classified": (_("处理中"), _("正在调查原因，制定处理方案。")),
    "investigated": (_("处理中"), _("正在制定处理方案。")),
    "plan_pending": (_("处理中"), _("处理方案正在审批。")),
    "plan_rejected": (_("处理中"), _("正在完善处理方案。")),
    "plan_approved": (_("待您确认方案"), _("请查看处理方案，告诉我们您是否同意。")),
    "negotiation_failed": (_("处理中"), _("我们正在根据您的意见调整方案。")),
    "agreed": (_("处理中"), _("正在按约定的方案处理。")),
    "executed": (_("已处理"), _("请告诉我们处理结果是否满意。")),
    "fed_back": (_("已处理"), _("感谢您的配合。")),
    "correcting": (_("已处理"), _("感谢您的配合。")),
    "corrected": (_("已处理"), _("感谢您的配合。")),
    "replied": (_("已答复"), _("如仍有疑问，可补充说明。")),
    "closed": (_("已办结"), ""),
    "archived": (_("已办结"), ""),
}


def plain_state(case) -> tuple[str, str]:
    state, next_step = PLAIN_STATE.get(case.state, (case.get_state_display(), ""))
    if case.visit_state == "due":
        next_step = _("请告诉我们处理结果是否满意（回访）。")
    return state, next_step
