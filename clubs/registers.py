"""Excel registers (作业记录): 客户座谈会记录, 客户会活动计划, 客户会活动记录 — same filters and scope as the lists."""
from django.db.models import Prefetch
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clubs import selectors
from clubs.models import ForumOpinion
from crm.exports import Column, DateColumn, Register, register


def _name(user):
    return (user.first_name or user.username) if user else ""


def _opinions(forum):
    """What was heard (the record's own content): speaker, theme, opinion and the case it became."""
    return "；".join(f"{o.speaker or gettext('业主')}（{o.get_theme_display()}）：{o.text}"
                    + (f"→{o.complaint.number}" if o.complaint_id else "") for o in forum.opinions.all())


@register
class ForumRegister(Register):
    code = "clubs-forums"
    title = _("客户座谈会记录")
    permission = "clubs.view_ownerforum"

    def filter_form(self, user, params):
        return selectors.forum_list(user, params)[0]

    def queryset(self, user, params):
        return selectors.forum_list(user, params)[1].order_by("-planned_at", "-pk").prefetch_related(
            Prefetch("opinions", queryset=ForumOpinion.objects.select_related("complaint").order_by("pk")))

    def columns(self, user):
        return [
            Column(_("编号"), lambda f: f.number), Column(_("名称"), lambda f: f.title, 24),
            Column(_("类型"), lambda f: f.get_kind_display(), 12), Column(_("专题"), lambda f: f.topic, 16),
            Column(_("项目"), lambda f: f.project.name if f.project else gettext("全公司")),
            Column(_("计划时间"), lambda f: f.planned_at, 16), Column(_("形式"), lambda f: f.get_format_display(), 10),
            Column(_("地点"), lambda f: f.location), Column(_("预算(元)"), lambda f: f.budget, 10),
            Column(_("目的"), lambda f: f.purpose, 30), Column(_("邀请人数"), lambda f: f.participant_count, 8),
            Column(_("召开时间"), lambda f: f.held_at, 16), Column(_("实到人数"), lambda f: f.attendance, 8),
            Column(_("座谈会记录"), lambda f: f.minutes, 50), Column(_("意见数"), lambda f: f.opinion_count, 8),
            Column(_("业主意见"), _opinions, 50),
            Column(_("分析结论"), lambda f: f.analysis, 40), Column(_("结果应用"), lambda f: f.get_result_use_display(), 12),
            Column(_("跟进措施"), lambda f: f.follow_up, 30), DateColumn(_("跟进期限"), lambda f: f.follow_up_due, 12),
            Column(_("跟进结果"), lambda f: f.follow_up_result, 30), Column(_("跟进完成时间"), lambda f: f.follow_up_done_at, 16),
            Column(_("状态"), lambda f: f.get_status_display(), 12), Column(_("经办人"), lambda f: _name(f.created_by)),
        ]


@register
class ActivityPlanRegister(Register):
    code = "clubs-activity-plans"
    title = _("客户会活动计划")
    permission = "clubs.view_clubactivity"

    def filter_form(self, user, params):
        return selectors.activity_list(user, params)[0]

    def queryset(self, user, params):
        return selectors.activity_list(user, params)[1]

    def columns(self, user):
        return [
            Column(_("编号"), lambda a: a.number), Column(_("客户会"), lambda a: a.club.name, 16),
            Column(_("计划类型"), lambda a: a.get_kind_display(), 12), Column(_("活动名称"), lambda a: a.title, 24),
            DateColumn(_("开始日期"), lambda a: a.period_start, 12), DateColumn(_("结束日期"), lambda a: a.period_end, 12),
            Column(_("形式"), lambda a: a.get_format_display(), 10), Column(_("目的"), lambda a: a.purpose, 30),
            Column(_("内容"), lambda a: a.content, 40), Column(_("预算(元)"), lambda a: a.budget, 10),
            Column(_("状态"), lambda a: a.get_status_display(), 12), Column(_("经办人"), lambda a: _name(a.created_by)),
        ]


@register
class ActivityRecordRegister(Register):
    code = "clubs-activity-records"
    title = _("客户会活动记录")
    permission = "clubs.view_clubactivity"

    def filter_form(self, user, params):
        return selectors.activity_list(user, params, done_only=True)[0]

    def queryset(self, user, params):
        return selectors.activity_list(user, params, done_only=True)[1].select_related("evaluated_by")

    def columns(self, user):
        return [
            Column(_("编号"), lambda a: a.number), Column(_("客户会"), lambda a: a.club.name, 16),
            Column(_("活动名称"), lambda a: a.title, 24), DateColumn(_("开展日期"), lambda a: a.held_on, 12),
            Column(_("参加人数"), lambda a: a.attendance, 8), Column(_("预算(元)"), lambda a: a.budget, 10),
            Column(_("实际支出(元)"), lambda a: a.spend, 10), Column(_("超预算"), lambda a: a.over_budget, 8),
            Column(_("活动记录"), lambda a: a.record, 50), Column(_("评估得分"), lambda a: a.score, 8),
            Column(_("成功之处"), lambda a: a.what_worked, 30), Column(_("待改进"), lambda a: a.to_improve, 30),
            Column(_("评估人"), lambda a: _name(a.evaluated_by)), Column(_("状态"), lambda a: a.get_status_display(), 10),
        ]
