"""Excel registers (作业记录): the same filters as the list pages, the same scope."""
from django.utils.translation import gettext_lazy as _
from crm.exports import Column, DateColumn, Register, register
from property_liaison import selectors


def _user_name(user):
    return (user.first_name or user.username) if user else ""


@register
class MeetingRegister(Register):
    code = "liaison-meetings"
    title = _("物业协调记录")
    permission = "property_liaison.view_coordinationmeeting"

    def filter_form(self, user, params):
        return selectors.meeting_list(user, params)[0]

    def queryset(self, user, params):
        return selectors.meeting_list(user, params)[1].order_by("-date", "-pk")

    def columns(self, user):
        return [
            Column(_("编号"), lambda m: m.number), DateColumn(_("日期"), lambda m: m.date, 12),
            Column(_("项目"), lambda m: m.project.name), Column(_("物业公司"), lambda m: m.company.name if m.company else "", 22),
            Column(_("形式"), lambda m: m.get_form_display(), 10), Column(_("参加人员"), lambda m: m.attendees, 30),
            Column(_("会议纪要"), lambda m: m.minutes, 50), Column(_("提出的问题"), lambda m: m.issues_raised, 40),
            Column(_("事项数"), lambda m: m.item_count, 8), Column(_("记录人"), lambda m: _user_name(m.recorded_by), 10),
        ]


@register
class ActionItemRegister(Register):
    code = "liaison-action-items"
    title = _("物业协调事项")
    permission = "property_liaison.view_actionitem"

    def filter_form(self, user, params):
        return selectors.action_item_list(user, params)[0]

    def queryset(self, user, params):
        return selectors.action_item_list(user, params)[1]

    def columns(self, user):
        return [
            Column(_("项目"), lambda i: i.project.name), Column(_("协调记录"), lambda i: i.meeting.number),
            DateColumn(_("协调日期"), lambda i: i.meeting.date, 12), Column(_("事项"), lambda i: i.description, 40),
            Column(_("责任方"), lambda i: i.get_party_display(), 10), Column(_("责任人"), lambda i: i.assignee, 12),
            DateColumn(_("完成期限"), lambda i: i.due_date, 12), Column(_("状态"), lambda i: i.get_status_display(), 10),
            Column(_("处理答复"), lambda i: i.answer, 40), Column(_("答复时间"), lambda i: i.answered_at, 16),
            Column(_("验证意见"), lambda i: i.verification_note, 30), Column(_("验证人"), lambda i: _user_name(i.verified_by)),
        ]


@register
class InspectionRegister(Register):
    code = "liaison-inspections"
    title = _("物业监督检查记录")
    permission = "property_liaison.view_inspection"

    def filter_form(self, user, params):
        return selectors.inspection_list(user, params)[0]

    def queryset(self, user, params):
        return selectors.inspection_list(user, params)[1].order_by("-date", "-pk")

    def columns(self, user):
        return [
            Column(_("编号"), lambda i: i.number), DateColumn(_("检查日期"), lambda i: i.date, 12),
            Column(_("项目"), lambda i: i.project.name), Column(_("物业公司"), lambda i: i.company.name, 22),
            Column(_("检查类型"), lambda i: i.get_kind_display(), 10), Column(_("综合得分"), lambda i: i.score, 10),
            Column(_("发现问题数"), lambda i: i.finding_count, 10), Column(_("检查情况"), lambda i: i.summary, 50),
            Column(_("检查人"), lambda i: _user_name(i.inspector)),
        ]


@register
class RectificationRegister(Register):
    code = "liaison-rectifications"
    title = _("物业整改通知")
    permission = "property_liaison.view_rectification"

    def filter_form(self, user, params):
        return selectors.rectification_list(user, params)[0]

    def queryset(self, user, params):
        return selectors.rectification_list(user, params)[1]

    def columns(self, user):
        return [
            Column(_("项目"), lambda r: r.project.name), Column(_("检查记录"), lambda r: r.finding.inspection.number),
            Column(_("区域"), lambda r: r.finding.get_area_display(), 12), Column(_("发现的问题"), lambda r: r.finding.description, 40),
            Column(_("整改要求"), lambda r: r.requirement, 40), DateColumn(_("整改期限"), lambda r: r.deadline, 12),
            Column(_("状态"), lambda r: r.get_status_display(), 10), Column(_("整改答复"), lambda r: r.answer, 40),
            Column(_("验证意见"), lambda r: r.verification_note, 30), Column(_("逾期升级"), lambda r: r.escalated_at, 16),
        ]


@register
class RepairRegister(Register):
    code = "liaison-repairs"
    title = _("保修维修登记")
    permission = "property_liaison.view_repairrequest"

    def filter_form(self, user, params):
        return selectors.repair_list(user, params)[0]

    def queryset(self, user, params):
        return selectors.repair_list(user, params)[1]

    def columns(self, user):
        return [
            Column(_("编号"), lambda r: r.number), DateColumn(_("报修日期"), lambda r: r.reported_on, 12),
            Column(_("项目"), lambda r: r.project.name), Column(_("房号"), lambda r: f"{r.unit.building.name} {r.unit.number}"),
            Column(_("来源"), lambda r: r.get_source_display(), 12), Column(_("案件编号"), lambda r: r.case_reference),
            Column(_("保修类别"), lambda r: str(r.category), 20), Column(_("部位"), lambda r: r.location),
            Column(_("问题描述"), lambda r: r.description, 40), DateColumn(_("保修截止"), lambda r: r.warranty_ends, 12),
            Column(_("在保修期内"), lambda r: r.in_warranty, 10), Column(_("状态"), lambda r: r.get_status_display(), 10),
            Column(_("维修单位/人"), lambda r: r.assignee), DateColumn(_("完成期限"), lambda r: r.due_date, 12),
            DateColumn(_("完工日期"), lambda r: r.completed_on, 12), DateColumn(_("业主确认"), lambda r: r.owner_confirmed_on, 12),
            Column(_("回访"), lambda r: r.return_visit_note, 30),
        ]
