"""Owner forums (客户座谈会), the owner club (客户会), its points ledger and its activities.

Each workflow is declared once here; services fire it, views ask it which buttons to show.
The manager's approval of forum plans, club founding plans and activity plans goes through
the shared step (crm.approvals), which keeps every submitted version and its decision.
"""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm.approvals import ApprovalStep, approval_guard
from crm.languages import recorded
from crm.roles import Role
from crm.workflow import Transition, Workflow

STAFF = (Role.CS_STAFF, Role.CS_SUPERVISOR, Role.ADMIN)


class PlanStatus(models.TextChoices):
    """States shared by everything that is planned and approved: forums, clubs, activities."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审批")
    REJECTED = "rejected", _("已驳回(待修改)")
    APPROVED = "approved", _("已批准")


def _plan_transitions():
    # approve/reject carry no role and need no change permission (the manager only views):
    # their guard asks the authority matrix whose the pending version is, the very check
    # crm.approvals.approval_decide makes in the same transaction.
    return [
        Transition("submit", (PlanStatus.DRAFT, PlanStatus.REJECTED), PlanStatus.SUBMITTED, _("提交审批"), STAFF),
        Transition("approve", (PlanStatus.SUBMITTED,), PlanStatus.APPROVED, _("批准"), (), "success",
                   permission="", guard=approval_guard),
        Transition("reject", (PlanStatus.SUBMITTED,), PlanStatus.REJECTED, _("驳回"), (), "danger",
                   permission="", guard=approval_guard),
    ]


APPROVAL_TRANSITIONS = ("approve", "reject")
FORUM_SUBJECT = "clubs.forum_plan"
CLUB_SUBJECT = "clubs.club_plan"  # a club's founding plan and its activity plans


def _plan_step(subject: str, workflow: Workflow) -> ApprovalStep:
    """The shared approval step fires a plan's submit / approve / reject transitions."""
    return ApprovalStep(subject, workflow, on_submit="submit", on_approve="approve", on_reject="reject")


EDITABLE_STATES = (PlanStatus.DRAFT, PlanStatus.REJECTED)


# --- Owner forums ------------------------------------------------------------------------------

class OwnerForum(models.Model):
    # Changed only by the services (crm.workflow.guarded_fields): read-only in the admin.
    GUARDED_FIELDS = ("title", "kind", "topic", "purpose", "project", "planned_at", "location", "format", "budget",
                      "participant_criteria", "held_at", "follow_up_done_at", "capacity", "signup_deadline")

    class Kind(models.TextChoices):
        GENERAL = "general", _("综合座谈会")
        TOPIC = "topic", _("专题座谈会")

    class Format(models.TextChoices):
        MEETING = "meeting", _("会议座谈")
        TEA = "tea", _("茶话会")
        ONSITE = "onsite", _("现场座谈")
        ONLINE = "online", _("线上座谈")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审批")
        REJECTED = "rejected", _("已驳回(待修改)")
        APPROVED = "approved", _("已批准")
        PREPARED = "prepared", _("已准备")
        HELD = "held", _("已召开")
        ANALYSED = "analysed", _("已分析")
        CLOSED = "closed", _("结果已应用")

    class ResultUse(models.TextChoices):
        FORUMS = "forums", _("改进座谈会")
        SERVICE = "service", _("改进服务")
        RELATIONSHIP = "relationship", _("客户关系工作")

    number = models.CharField(_("编号"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("座谈会名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.GENERAL)
    topic = models.CharField(_("专题"), max_length=100, blank=True)
    purpose = models.TextField(_("目的"))
    project = models.ForeignKey("owners.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("项目"), help_text=_("留空表示全公司"))
    planned_at = models.DateTimeField(_("计划时间"))
    location = models.CharField(_("地点"), max_length=100, blank=True)
    format = models.CharField(_("形式"), max_length=10, choices=Format.choices, default=Format.MEETING)
    budget = models.DecimalField(_("预算(元)"), max_digits=10, decimal_places=2, default=0)
    participant_criteria = models.CharField(_("参会业主筛选条件"), max_length=200, blank=True)
    # Owners of the forum's project may sign up on the owner portal up to these limits (empty: none).
    capacity = models.PositiveIntegerField(_("名额"), null=True, blank=True, help_text=_("留空表示不限"))
    signup_deadline = models.DateTimeField(_("报名截止"), null=True, blank=True, help_text=_("留空表示召开前均可报名"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    held_at = models.DateTimeField(_("召开时间"), null=True, blank=True)
    attendance = models.PositiveIntegerField(_("实到人数"), null=True, blank=True)
    minutes = models.TextField(_("座谈会记录"), blank=True)
    analysis = models.TextField(_("分析结论"), blank=True)
    result_use = models.CharField(_("结果应用"), max_length=15, choices=ResultUse.choices, blank=True)
    follow_up = models.TextField(_("跟进措施"), blank=True)
    follow_up_due = models.DateField(_("跟进期限"), null=True, blank=True)
    follow_up_result = models.TextField(_("跟进结果"), blank=True)
    follow_up_done_at = models.DateTimeField(_("跟进完成时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("经办人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("客户座谈会")
        verbose_name_plural = _("客户座谈会")
        ordering = ["-planned_at", "-pk"]

    def __str__(self):
        return f"{self.number} {self.title}"

    def plan_text(self) -> str:
        """The plan as the approval keeps it: a record, in the office's language."""
        kind = self.Kind(self.kind).label
        return "\n".join([
            recorded(_("名称：{title}（{kind}：{topic}）"), title=self.title, kind=kind, topic=self.topic) if self.topic
            else recorded(_("名称：{title}（{kind}）"), title=self.title, kind=kind),
            recorded(_("目的：{purpose}"), purpose=self.purpose),
            recorded(_("时间：{time}；地点：{location}；形式：{format}"),
                     time=f"{timezone.localtime(self.planned_at):%Y-%m-%d %H:%M}", location=self.location or "—",
                     format=self.Format(self.format).label),
            recorded(_("参会业主：{criteria}（{count} 人）"), criteria=self.participant_criteria or "—",
                     count=self.participants.count()),
            recorded(_("预算：{budget} 元"), budget=self.budget),
        ])


FORUM_WORKFLOW = Workflow("status", permission="clubs.change_ownerforum", transitions=_plan_transitions() + [
    Transition("prepare", (OwnerForum.Status.APPROVED,), OwnerForum.Status.PREPARED, _("准备就绪"), STAFF),
    Transition("hold", (OwnerForum.Status.PREPARED,), OwnerForum.Status.HELD, _("登记召开与记录"), STAFF),
    Transition("analyse", (OwnerForum.Status.HELD,), OwnerForum.Status.ANALYSED, _("完成分析"), STAFF),
    Transition("use_results", (OwnerForum.Status.ANALYSED,), OwnerForum.Status.CLOSED, _("登记结果应用"), STAFF),
])
OwnerForum.approval_step = _plan_step(FORUM_SUBJECT, FORUM_WORKFLOW)


class ForumParticipant(models.Model):
    forum = models.ForeignKey(OwnerForum, on_delete=models.CASCADE, related_name="participants",
                              verbose_name=_("座谈会"))
    customer = models.ForeignKey("owners.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("业主"))
    attended = models.BooleanField(_("出席"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("参会业主")
        verbose_name_plural = _("参会业主")
        ordering = ["customer__name"]
        constraints = [models.UniqueConstraint(fields=["forum", "customer"], name="forum_participant_unique")]


class ForumChecklistItem(models.Model):
    forum = models.ForeignKey(OwnerForum, on_delete=models.CASCADE, related_name="checklist", verbose_name=_("座谈会"))
    text = models.CharField(_("准备事项"), max_length=200)
    done = models.BooleanField(_("已完成"), default=False)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("完成人"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("准备事项")
        verbose_name_plural = _("准备事项")
        ordering = ["pk"]


class ForumOpinion(models.Model):
    """One opinion heard at a forum; it may become a case in the complaints register."""

    forum = models.ForeignKey(OwnerForum, on_delete=models.CASCADE, related_name="opinions", verbose_name=_("座谈会"))
    customer = models.ForeignKey("owners.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("提出业主"))
    speaker = models.CharField(_("发言人"), max_length=50, blank=True)
    theme = models.CharField(_("主题"), max_length=20)  # complaints.models.Category values
    text = models.TextField(_("意见内容"))
    complaint = models.ForeignKey("complaints.Complaint", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("转为案件"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("记录人"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("座谈会意见")
        verbose_name_plural = _("座谈会意见")
        ordering = ["pk"]

    def complaint_url(self) -> str:
        from django.urls import NoReverseMatch, reverse

        if not self.complaint_id:
            return ""
        try:
            return reverse("complaints:detail", args=[self.complaint_id])
        except NoReverseMatch:  # the complaints screens are optional for this app
            return ""

    def get_theme_display(self):
        from complaints.models import Category

        return dict(Category.choices).get(self.theme, self.theme)


# --- The owner club ----------------------------------------------------------------------------

class Club(models.Model):
    # Changed only by the services (crm.workflow.guarded_fields): read-only in the admin.
    GUARDED_FIELDS = ("name", "founding_plan", "rules", "project", "founded_on")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审批")
        REJECTED = "rejected", _("已驳回(待修改)")
        APPROVED = "approved", _("已批准")
        FOUNDED = "founded", _("已成立")

    name = models.CharField(_("客户会名称"), max_length=50, unique=True, help_text=_("如：阳光·XX会"))
    project = models.ForeignKey("owners.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("项目"), help_text=_("留空表示全公司"))
    founding_plan = models.TextField(_("成立方案"))
    rules = models.TextField(_("章程"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("经办人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("客户会")
        verbose_name_plural = _("客户会")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def plan_text(self) -> str:
        """The plan as the approval keeps it: a record, in the office's language."""
        return "\n".join([recorded(_("名称：{name}"), name=self.name),
                          recorded(_("成立方案：{plan}"), plan=self.founding_plan),
                          recorded(_("章程：{rules}"), rules=self.rules or "—")])


CLUB_WORKFLOW = Workflow("status", permission="clubs.change_club", transitions=_plan_transitions() + [
    Transition("found", (Club.Status.APPROVED,), Club.Status.FOUNDED, _("宣布成立"), STAFF),
])
Club.approval_step = _plan_step(CLUB_SUBJECT, CLUB_WORKFLOW)


class ClubMember(models.Model):
    # Changed only by the services (crm.workflow.guarded_fields): read-only in the admin.
    GUARDED_FIELDS = ("club", "customer", "number", "joined_on")

    class Level(models.TextChoices):
        REGULAR = "regular", _("普通会员")
        SILVER = "silver", _("银卡会员")
        GOLD = "gold", _("金卡会员")

    class Status(models.TextChoices):
        ACTIVE = "active", _("正常")
        SUSPENDED = "suspended", _("暂停")
        LEFT = "left", _("已退会")

    club = models.ForeignKey(Club, on_delete=models.PROTECT, related_name="members", verbose_name=_("客户会"))
    customer = models.ForeignKey("owners.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("业主"))
    number = models.CharField(_("会员编号"), max_length=20, unique=True, editable=False)
    level = models.CharField(_("会员等级"), max_length=10, choices=Level.choices, default=Level.REGULAR)
    joined_on = models.DateField(_("入会日期"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    referred_by = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("推荐人"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("客户会会员")
        verbose_name_plural = _("客户会会员")
        ordering = ["club", "number"]
        constraints = [models.UniqueConstraint(fields=["club", "customer"], name="club_member_unique")]

    def __str__(self):
        return f"{self.number} {self.customer.name}"


class ClubApplication(models.Model):
    """An owner's application to join a club, made on the owner portal. It is approved as an
    enrolment always was: staff enroll the owner on the club's page (``member_enroll``), which
    closes the application; one pending application per owner and club."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        ENROLLED = "enrolled", _("已入会")

    club = models.ForeignKey(Club, on_delete=models.PROTECT, related_name="applications", verbose_name=_("客户会"))
    customer = models.ForeignKey("owners.Customer", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("业主"))
    applied_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("申请人"))
    applied_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    member = models.ForeignKey(ClubMember, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("会员"))

    class Meta:
        verbose_name = _("入会申请")
        verbose_name_plural = _("入会申请")
        ordering = ["-applied_at"]
        constraints = [models.UniqueConstraint(fields=["club", "customer"], condition=models.Q(status="pending"),
                                               name="club_application_pending_once")]

    def __str__(self):
        return f"{self.club} {self.customer}"


class PointsEntry(models.Model):
    """One line of the points ledger. The balance is the sum; entries are never edited."""

    class Kind(models.TextChoices):
        JOIN = "join", _("入会")
        REFERRAL = "referral", _("推荐")
        PURCHASE = "purchase", _("购房")
        PARTICIPATION = "participation", _("参加活动")
        SUGGESTION = "suggestion", _("建议被采纳")
        GIFT = "gift", _("兑换礼品")
        FEE_OFFSET = "fee_offset", _("抵扣费用")

    EARN_KINDS = (Kind.JOIN, Kind.REFERRAL, Kind.PURCHASE, Kind.PARTICIPATION, Kind.SUGGESTION)
    REDEEM_KINDS = (Kind.GIFT, Kind.FEE_OFFSET)

    member = models.ForeignKey(ClubMember, on_delete=models.PROTECT, related_name="points", verbose_name=_("会员"))
    kind = models.CharField(_("类型"), max_length=15, choices=Kind.choices)
    points = models.IntegerField(_("积分"), help_text=_("获得为正，兑换为负"))
    reason = models.CharField(_("事由"), max_length=200)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("经办人"))
    activity = models.ForeignKey("ClubActivity", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("活动"))
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分记录")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["member", "activity"], condition=models.Q(kind="participation"),
                                    name="points_participation_once"),
        ]


# --- Club activities ---------------------------------------------------------------------------

class ClubActivity(models.Model):
    # Changed only by the services (crm.workflow.guarded_fields): read-only in the admin.
    GUARDED_FIELDS = ("kind", "title", "period_start", "period_end", "purpose", "content", "format", "budget",
                      "held_on", "evaluated_by")

    class Kind(models.TextChoices):
        PERIOD = "period", _("阶段活动计划")
        SINGLE = "single", _("单项活动")

    class Format(models.TextChoices):
        GATHERING = "gathering", _("联谊聚会")
        LECTURE = "lecture", _("讲座沙龙")
        OUTING = "outing", _("户外活动")
        SPORTS = "sports", _("文体比赛")
        CHARITY = "charity", _("公益活动")
        ONLINE = "online", _("线上活动")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审批")
        REJECTED = "rejected", _("已驳回(待修改)")
        APPROVED = "approved", _("已批准")
        DONE = "done", _("已开展")
        EVALUATED = "evaluated", _("已评估")

    number = models.CharField(_("编号"), max_length=20, unique=True, editable=False)
    club = models.ForeignKey(Club, on_delete=models.PROTECT, related_name="activities", verbose_name=_("客户会"))
    kind = models.CharField(_("计划类型"), max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    title = models.CharField(_("活动名称"), max_length=100)
    period_start = models.DateField(_("开始日期"))
    period_end = models.DateField(_("结束日期"))
    purpose = models.TextField(_("目的"))
    content = models.TextField(_("内容"))
    format = models.CharField(_("形式"), max_length=10, choices=Format.choices, default=Format.GATHERING)
    budget = models.DecimalField(_("预算(元)"), max_digits=10, decimal_places=2, default=0)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    held_on = models.DateField(_("开展日期"), null=True, blank=True)
    attendance = models.PositiveIntegerField(_("参加人数"), null=True, blank=True)
    attendees = models.ManyToManyField(ClubMember, blank=True, related_name="activities", verbose_name=_("参加会员"))
    record = models.TextField(_("活动记录"), blank=True)
    spend = models.DecimalField(_("实际支出(元)"), max_digits=10, decimal_places=2, null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("评估得分(0-100)"), null=True, blank=True)
    what_worked = models.TextField(_("成功之处"), blank=True)
    to_improve = models.TextField(_("待改进"), blank=True)
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("评估人"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("经办人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("客户会活动")
        verbose_name_plural = _("客户会活动")
        ordering = ["-period_start", "-pk"]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def over_budget(self):
        return self.spend is not None and self.spend > self.budget

    def plan_text(self) -> str:
        """The plan as the approval keeps it: a record, in the office's language."""
        return "\n".join([
            recorded(_("活动：{title}（{kind}，{format}）"), title=self.title, kind=self.Kind(self.kind).label,
                     format=self.Format(self.format).label),
            recorded(_("时间：{start} 至 {end}"), start=self.period_start, end=self.period_end),
            recorded(_("目的：{purpose}"), purpose=self.purpose), recorded(_("内容：{content}"), content=self.content),
            recorded(_("预算：{budget} 元"), budget=self.budget),
        ])


ACTIVITY_WORKFLOW = Workflow("status", permission="clubs.change_clubactivity", transitions=_plan_transitions() + [
    Transition("carry_out", (ClubActivity.Status.APPROVED,), ClubActivity.Status.DONE, _("登记开展情况"), STAFF),
    Transition("evaluate", (ClubActivity.Status.DONE,), ClubActivity.Status.EVALUATED, _("评估"), STAFF,
               stamps={"by": "evaluated_by"}),
])
ClubActivity.approval_step = _plan_step(CLUB_SUBJECT, ACTIVITY_WORKFLOW)


def _photo_path(instance, filename):
    return f"clubs/activities/{instance.activity_id}/{filename}"


class ActivityPhoto(models.Model):
    activity = models.ForeignKey(ClubActivity, on_delete=models.CASCADE, related_name="photos",
                                 verbose_name=_("活动"))
    image = models.FileField(_("照片"), upload_to=_photo_path)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")
        ordering = ["pk"]


class ImprovementAction(models.Model):
    activity = models.ForeignKey(ClubActivity, on_delete=models.CASCADE, related_name="improvements",
                                 verbose_name=_("活动"))
    description = models.CharField(_("改进措施"), max_length=200)
    owner = models.CharField(_("责任人"), max_length=50, blank=True)
    due_date = models.DateField(_("完成期限"), null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("登记人"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("改进措施")
        verbose_name_plural = _("改进措施")
        ordering = ["pk"]
