"""The case register (投诉/纠纷/需求建议/咨询/表扬), its workflow, SLA clocks and the records
of every step (plans, negotiation rounds, corrective actions, return visits, timeline).

The allowed transitions are declared here ONCE (``COMPLAINT_FLOW`` for complaints and
disputes, ``SHORT_FLOW`` for needs, enquiries and praise); only ``services.py`` fires them.
"""
import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm.approvals import ApprovalStep, approval_guard
from crm.archive import archivable
from crm.languages import recorded
from crm.roles import Role
from crm.workflow import Transition, Workflow


class Kind(models.TextChoices):
    COMPLAINT = "complaint", _("投诉")
    DISPUTE = "dispute", _("纠纷")
    NEED = "need_suggestion", _("需求/建议")
    ENQUIRY = "enquiry", _("咨询")
    PRAISE = "praise", _("表扬")


NUMBER_PREFIX = {Kind.COMPLAINT: "TS", Kind.DISPUTE: "JF", Kind.NEED: "XQ", Kind.ENQUIRY: "ZX", Kind.PRAISE: "BY"}
LONG_KINDS = (Kind.COMPLAINT, Kind.DISPUTE)


class Channel(models.TextChoices):
    PHONE = "phone", _("电话")
    WALK_IN = "walk_in", _("来访")
    EMAIL = "email", _("电子邮件")
    LETTER = "letter", _("信函")
    ONLINE = "online", _("网上")
    FORUM = "forum", _("座谈会")
    PROPERTY = "property", _("物业转交")
    OWNER_PORTAL = "owner_portal", _("业主端")  # reported by the owner on the portal (/m/)


class Category(models.TextChoices):
    REPAIRS = "repairs", _("维修")
    CLEANING = "cleaning", _("保洁")
    SECURITY = "security", _("安保")
    GREENING = "greening", _("绿化")
    EQUIPMENT = "equipment", _("设备设施")
    QUALITY = "quality", _("工程质量")
    ATTITUDE = "attitude", _("服务态度")
    FEES = "fees", _("收费")
    OTHER = "other", _("其他")


class Severity(models.TextChoices):
    MINOR = "minor", _("轻微")
    IMPORTANT = "important", _("重要")
    MAJOR = "major", _("重大")


class State(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    TRANSFERRED = "transferred", _("已转交")
    CLASSIFIED = "classified", _("已界定")
    INVESTIGATED = "investigated", _("已调查")
    PLAN_PENDING = "plan_pending", _("方案待审批")
    PLAN_REJECTED = "plan_rejected", _("方案被驳回")
    PLAN_APPROVED = "plan_approved", _("方案已批准")
    NEGOTIATION_FAILED = "negotiation_failed", _("磋商未达成")
    AGREED = "agreed", _("已达成一致")
    EXECUTED = "executed", _("已处置")
    FED_BACK = "fed_back", _("已反馈")
    CORRECTING = "correcting", _("纠正措施进行中")
    CORRECTED = "corrected", _("纠正措施已验证")
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("已关闭")
    ARCHIVED = "archived", _("已归档")


OPEN_STATES = [s for s in State.values if s not in (State.CLOSED, State.ARCHIVED)]


class VisitState(models.TextChoices):
    """The return visit (回访): a track of its own beside the corrective action, due from disposal."""

    NOT_DUE = "", _("未处置")
    DUE = "due", _("待回访")
    DONE = "done", _("已回访")


S = State
HANDLERS = (Role.CS_STAFF, Role.CS_SUPERVISOR, Role.PROJECT_DEPT)
DESK = (Role.FRONT_DESK, Role.CS_STAFF, Role.CS_SUPERVISOR, Role.PROJECT_DEPT)
# Who approves a plan is named only by the authority matrix (crm.ApprovalRule, editable in the
# admin): the transitions name no role, the guard asks the matrix whose the pending version is,
# and seeing the case is the only permission they need (a named approver may not handle cases).
DECIDE = {"permission": "complaints.view_complaint", "guard": approval_guard}

def owner_or_staff(case, user):
    """The guard of the steps an owner takes from the portal (agree or disagree with the plan,
    answer the return visit, reopen when not satisfied): an owner only on their own case (the
    customer their portal account is bound to), anyone else with the change permission."""
    from crm.scopes import user_role

    if user_role(user) == Role.OWNER:
        if not case.customer_id or not type(case.customer).objects.filter(
                pk=case.customer_id, owner_accounts__user=user).exists():
            return gettext("只有本案件的业主可以办理。")
        return None
    if not user.has_perm("complaints.change_complaint"):
        raise PermissionDenied(gettext("您不能修改该案件。"))
    return None


OWNER_STEP = {"permission": "", "guard": owner_or_staff}
DISPOSED_STATES = ("executed", "fed_back", "correcting", "corrected")

# Both flows archive the same way (the shared archive job writes through this transition).
ARCHIVE = Transition("archive", (S.CLOSED,), S.ARCHIVED, _("资料归档"), (Role.CS_SUPERVISOR,), "secondary",
                     stamps={"at": "archived_at"})

# Every transition needs complaints.change_complaint (the `act` view's permission, now the service's too).
COMPLAINT_FLOW = Workflow("state", permission="complaints.change_complaint", transitions=[
    Transition("transfer", (S.REGISTERED,), S.TRANSFERRED, _("转交责任部门"), DESK, "secondary"),
    Transition("classify_valid", (S.REGISTERED, S.TRANSFERRED), S.CLASSIFIED, _("界定为有效投诉"), (Role.CS_SUPERVISOR,),
               stamps={"at": "classified_at"}),
    Transition("classify_invalid", (S.REGISTERED, S.TRANSFERRED), S.CLOSED, _("界定为无效并关闭"),
               (Role.CS_SUPERVISOR,), "outline-danger", stamps={"at": ("classified_at", "closed_at")}),
    Transition("investigate", (S.CLASSIFIED,), S.INVESTIGATED, _("调查与分析"), HANDLERS),
    Transition("submit_plan", (S.INVESTIGATED, S.PLAN_REJECTED, S.NEGOTIATION_FAILED), S.PLAN_PENDING,
               _("提交处置方案"), HANDLERS),
    Transition("approve_plan", (S.PLAN_PENDING,), S.PLAN_APPROVED, _("批准方案"), style="success", **DECIDE),
    Transition("reject_plan", (S.PLAN_PENDING,), S.PLAN_REJECTED, _("驳回方案"), style="outline-danger", **DECIDE),
    # The owner answers the plan from the portal as the staff record it after a call.
    Transition("negotiate_fail", (S.PLAN_APPROVED,), S.NEGOTIATION_FAILED, _("磋商未达成"), (*HANDLERS, Role.OWNER),
               "outline-warning", **OWNER_STEP),
    Transition("negotiate_agree", (S.PLAN_APPROVED,), S.AGREED, _("磋商达成一致"), (*HANDLERS, Role.OWNER), "success",
               **OWNER_STEP),
    Transition("execute", (S.AGREED,), S.EXECUTED, _("处置并检查结果"), HANDLERS, stamps={"at": "disposed_at"}),
    Transition("feedback", (S.EXECUTED,), S.FED_BACK, _("反馈业主"), DESK),
    Transition("send_correction", (S.FED_BACK,), S.CORRECTING, _("发出纠正和预防措施"), HANDLERS),
    Transition("verify_correction", (S.CORRECTING,), S.CORRECTED, _("验证纠正措施"), (Role.CS_SUPERVISOR,)),
    # The return visit follows disposal (due from "execute"), beside the feedback and the
    # corrective action: it never waits for them (DOMAIN step 9). Closing needs both done.
    Transition("return_visit", (VisitState.DUE,), VisitState.DONE, _("回访"),
               (Role.FRONT_DESK, Role.CS_STAFF, Role.OWNER), field="visit_state", **OWNER_STEP),
    # Not handled, or not satisfied (the owner's online visit, or the supervisor): back to the
    # supervisor, who classifies it again and the loop runs once more.
    Transition("reopen", DISPOSED_STATES, S.TRANSFERRED, _("重新处理"), (Role.CS_SUPERVISOR, Role.OWNER),
               "outline-danger", **OWNER_STEP),
    Transition("close", (S.CORRECTED,), S.CLOSED, _("关闭"), HANDLERS,
               requires=(("visit_state", (VisitState.DONE,)),), requires_message=_("尚未回访业主：回访后才能关闭。"),
               stamps={"at": "closed_at"}),
    ARCHIVE,
])

# The disposal plan's approval (审批): the shared step fires these transitions of the case and,
# through the effect, keeps the version's row and the case's timeline line.
PLAN_STEP = ApprovalStep("complaints.disposal_plan", COMPLAINT_FLOW, on_submit="submit_plan",
                         on_approve="approve_plan", on_reject="reject_plan", effect="complaints.services.plan_recorded")

SHORT_FLOW = Workflow("state", permission="complaints.change_complaint", transitions=[
    Transition("transfer", (S.REGISTERED,), S.TRANSFERRED, _("转交责任部门"), DESK, "secondary"),
    Transition("reply", (S.REGISTERED, S.TRANSFERRED), S.REPLIED, _("答复业主"), DESK),
    Transition("close", (S.REPLIED,), S.CLOSED, _("关闭"), DESK, stamps={"at": "closed_at"}),
    ARCHIVE,
])


def workflow_for(kind: str) -> Workflow:
    return COMPLAINT_FLOW if kind in LONG_KINDS else SHORT_FLOW


class Event(models.Model):
    """One event that several cases are about (e.g. a lift outage in one building)."""
    # Changed only by the services (crm.workflow.guarded_fields): read-only in the admin.
    GUARDED_FIELDS = ("major_at",)

    title = models.CharField(_("事件"), max_length=200)
    project = models.ForeignKey("owners.Project", on_delete=models.PROTECT, related_name="+", verbose_name=_("项目"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("创建人"))
    major_at = models.DateTimeField(_("升级重大时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("投诉事件")
        verbose_name_plural = _("投诉事件")
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class Complaint(models.Model):
    number = models.CharField(_("编号"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.COMPLAINT)
    channel = models.CharField(_("渠道"), max_length=12, choices=Channel.choices, default=Channel.PHONE)
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices, default=Category.OTHER,
                                db_index=True)
    received_at = models.DateTimeField(_("受理时间"), db_index=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("登记人"))
    first_responder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                        verbose_name=_("首问责任人"))
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("处理人"))
    department = models.ForeignKey("crm.Department", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("责任部门"))
    customer = models.ForeignKey("owners.Customer", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="complaints", verbose_name=_("业主"))
    unit = models.ForeignKey("owners.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("房号"))
    complainant_name = models.CharField(_("投诉人"), max_length=50)
    complainant_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    phone_digits = models.CharField(_("电话数字"), max_length=20, blank=True, db_index=True, editable=False)
    project = models.ForeignKey("owners.Project", on_delete=models.PROTECT, related_name="complaints",
                                verbose_name=_("项目"))
    forwarded_by_company = models.ForeignKey("property_liaison.PropertyCompany", on_delete=models.PROTECT,
                                             null=True, blank=True, related_name="forwarded_complaints",
                                             verbose_name=_("转交物业公司"))
    event = models.ForeignKey(Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="complaints",
                              verbose_name=_("所属事件"))
    title = models.CharField(_("摘要"), max_length=200)
    description = models.TextField(_("内容"))
    needs_transfer = models.BooleanField(_("首问人无法处理须转交"), default=False)
    owner_requested_by = models.DateTimeField(_("业主要求完成时间"), null=True, blank=True)
    promised_by = models.DateTimeField(_("承诺答复时间"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.REGISTERED, db_index=True)
    visit_state = models.CharField(_("回访状态"), max_length=10, choices=VisitState.choices, blank=True,
                                   default=VisitState.NOT_DUE)
    valid = models.BooleanField(_("有效投诉"), null=True, blank=True)
    invalid_reason = models.TextField(_("无效说明"), blank=True)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices, blank=True, db_index=True)
    major_reason = models.CharField(_("升级重大原因"), max_length=200, blank=True)
    cause = models.TextField(_("原因分析"), blank=True)
    responsibility = models.TextField(_("责任认定"), blank=True)
    execution_result = models.TextField(_("处置结果"), blank=True)
    feedback_text = models.TextField(_("反馈内容"), blank=True)
    owner_opinion = models.TextField(_("业主意见"), blank=True)
    reply_text = models.TextField(_("答复内容"), blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True)
    classified_at = models.DateTimeField(_("界定时间"), null=True, blank=True)
    disposed_at = models.DateTimeField(_("处置时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    archived_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    next_deadline = models.DateTimeField(_("最近时限"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("投诉/纠纷")
        verbose_name_plural = _("投诉/纠纷")
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["project", "state"], name="complaint_project_state"),
            models.Index(fields=["kind", "-received_at"], name="complaint_kind_received"),
            models.Index(fields=["state", "next_deadline"], name="complaint_state_deadline"),
            # The register search's exact-name branch (its partial branches: trigram indexes, 0006).
            models.Index(fields=["complainant_name"], name="complaint_complainant"),
            # The register's two orders (by deadline; newest first), each with the project last so
            # that a scope of many projects is checked in the index while walking it: a page of
            # 30 rows reads about 30 ÷ (share of the cases in scope) index entries and sorts
            # nothing. Declared here (not in SQL) so that SQLite's table rebuilds keep them.
            models.Index(fields=["next_deadline", "-received_at", "-id", "project"], name="complaint_deadline_order"),
            models.Index(fields=["-received_at", "-id", "project"], name="complaint_received_order"),
            # The same orders within one project (a scope of one or a few projects)…
            models.Index(fields=["project", "next_deadline", "-received_at", "-id"], name="complaint_project_deadline"),
            models.Index(fields=["project", "-received_at", "-id"], name="complaint_project_received"),
            # …and within the cases a property company forwarded (its own page, newest first).
            models.Index(fields=["forwarded_by_company", "-received_at", "-id"], name="complaint_company_received"),
        ]
        permissions = [("view_report", _("可查看投诉统计报表"))]

    def __str__(self):
        return f"{self.number} {self.title}"

    approval_step = PLAN_STEP

    @property
    def workflow(self) -> Workflow:
        return workflow_for(self.kind)

    @property
    def is_long(self) -> bool:
        return self.kind in LONG_KINDS


class Attachment(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="attachments",
                                  verbose_name=_("案件"))
    file = models.FileField(_("文件"), upload_to="complaints/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"))
    content_type = models.CharField(_("类型"), max_length=100)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.name


class DisposalPlan(models.Model):
    """One version of a disposal plan (处置方案); its decision lives in crm's ApprovalRequest."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="plans", verbose_name=_("案件"))
    version = models.PositiveIntegerField(_("版本"))
    content = models.TextField(_("方案内容"))
    approval = models.OneToOneField("crm.ApprovalRequest", on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("审批"))
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("拟定人"))
    drafted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("处置方案")
        verbose_name_plural = _("处置方案")
        ordering = ["complaint", "version"]
        constraints = [models.UniqueConstraint(fields=["complaint", "version"], name="plan_version_unique")]

    def __str__(self):
        return gettext("{number} 方案第{version}版").format(number=self.complaint.number, version=self.version)


class NegotiationRound(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("案件"))
    plan = models.ForeignKey(DisposalPlan, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("方案"))
    number = models.PositiveIntegerField(_("轮次"))
    agreed = models.BooleanField(_("达成一致"))
    owner_opinion = models.TextField(_("业主意见"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name=_("磋商人"))
    at = models.DateTimeField(_("磋商时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("磋商记录")
        verbose_name_plural = _("磋商记录")
        ordering = ["complaint", "number"]

    def __str__(self):
        return gettext("{case} 第{number}轮磋商").format(case=self.complaint.number, number=self.number)


class CorrectiveAction(models.Model):
    class Method(models.TextChoices):
        MEETING = "meeting", _("会议")
        LETTER = "letter", _("工作联系函")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="corrections",
                                  verbose_name=_("案件"))
    method = models.CharField(_("方式"), max_length=10, choices=Method.choices)
    letter_number = models.CharField(_("联系函编号"), max_length=30, blank=True)
    departments = models.CharField(_("相关部门"), max_length=200)
    action = models.TextField(_("纠正和预防措施"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("发出人"))
    sent_at = models.DateTimeField(_("发出时间"), auto_now_add=True)
    verification = models.TextField(_("验证结果"), blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("验证人"))
    verified_at = models.DateTimeField(_("验证时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("纠正和预防措施")
        verbose_name_plural = _("纠正和预防措施")
        ordering = ["sent_at"]

    def __str__(self):
        return f"{self.complaint.number} {self.get_method_display()} {self.letter_number}"


class ReturnVisit(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="visits", verbose_name=_("案件"))
    handled = models.BooleanField(_("问题已处理"))
    satisfaction = models.PositiveSmallIntegerField(_("满意度(1-5)"))
    more_needs = models.TextField(_("其他需求"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                           verbose_name=_("回访人"))
    at = models.DateTimeField(_("回访时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("回访记录")
        verbose_name_plural = _("回访记录")
        ordering = ["at"]

    def __str__(self):
        return gettext("{number} 回访").format(number=self.complaint.number)


class TimelineEntry(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="timeline",
                                  verbose_name=_("案件"))
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("操作人"))
    kind = models.CharField(_("类别"), max_length=30)
    text = models.TextField(_("内容"))

    class Meta:
        verbose_name = _("处理过程")
        verbose_name_plural = _("处理过程")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["complaint", "at"], name="timeline_complaint_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.text[:30]}"


class SlaRule(models.Model):
    """One time limit of DOMAIN.md (服务时限), editable by the admin."""

    class Unit(models.TextChoices):
        MINUTES = "minutes", _("分钟")
        HOURS = "hours", _("小时")
        DAYS = "days", _("天")

    code = models.SlugField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    amount = models.DecimalField(_("时长"), max_digits=8, decimal_places=2)
    unit = models.CharField(_("单位"), max_length=10, choices=Unit.choices)
    working_time = models.BooleanField(_("按工作时间计算"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("服务时限规则")
        verbose_name_plural = _("服务时限规则")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}（{self.amount}{self.get_unit_display()}）"


class ClockState(models.TextChoices):
    RUNNING = "running", _("计时中")
    PAUSED = "paused", _("已暂停")
    AT_RISK = "at_risk", _("即将超时")
    BREACHED = "breached", _("已超时")
    MET = "met", _("按时完成")
    LATE = "late", _("超时完成")
    CANCELLED = "cancelled", _("已取消")


LIVE_CLOCK_STATES = [ClockState.RUNNING, ClockState.AT_RISK, ClockState.BREACHED]


class SlaClock(models.Model):
    # An extension (延期) is approved by the role the matrix names for the case's severity; the
    # clock has no state of its own to move: the effect moves its deadline and writes the timeline.
    approval_step = ApprovalStep("complaints.extension", effect="complaints.clocks.extension_recorded")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="clocks", verbose_name=_("案件"))
    rule = models.ForeignKey(SlaRule, on_delete=models.PROTECT, related_name="clocks", verbose_name=_("时限规则"))
    started_at = models.DateTimeField(_("开始时间"))
    deadline = models.DateTimeField(_("截止时间"), db_index=True)
    warn_at = models.DateTimeField(_("预警时间"), db_index=True)
    escalate_at = models.DateTimeField(_("上报经理时间"))
    state = models.CharField(_("状态"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING,
                             db_index=True)
    escalation = models.PositiveSmallIntegerField(_("已上报级别"), default=0)
    paused_at = models.DateTimeField(_("暂停时间"), null=True, blank=True)
    paused_reason = models.CharField(_("暂停原因"), max_length=200, blank=True)
    paused_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("暂停人"))
    paused_total = models.DurationField(_("累计暂停"), default=datetime.timedelta)
    met_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    breached_at = models.DateTimeField(_("超时时间"), null=True, blank=True)
    # The deadline was counted over a year whose holiday notice is not confirmed yet (按预估日历).
    estimated = models.BooleanField(_("按预估日历"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("时限计时")
        verbose_name_plural = _("时限计时")
        ordering = ["deadline"]
        constraints = [models.UniqueConstraint(fields=["complaint", "rule"], name="clock_unique_per_rule")]
        indexes = [models.Index(fields=["state", "deadline"], name="clock_state_deadline"),
                   models.Index(fields=["state", "warn_at"], name="clock_state_warn")]

    def __str__(self):
        return f"{self.complaint_id} {self.rule.name}"

    @property
    def result(self) -> str:
        if self.state in (ClockState.MET,):
            return gettext("按时")
        if self.state in (ClockState.LATE, ClockState.BREACHED):
            return gettext("超时")
        return self.get_state_display()


C = ClockState
STOPPABLE_CLOCK_STATES = (*LIVE_CLOCK_STATES, C.PAUSED)

# The SLA clock's states move only here (complaints.clocks fires them). Pauses are the case
# page's (its rule is check_writable + the sources below, asked by the form and the service);
# the rest are fired in bulk for the system: by the case's own transitions (met, late,
# cancelled) and by the SLA scan (warn, breach, escalate to the manager), each a
# compare-and-set with one history row per clock it changed.
CLOCK_FLOW = Workflow("state", permission="complaints.change_slaclock", transitions=[
    Transition("pause", tuple(LIVE_CLOCK_STATES), C.PAUSED, _("暂停时限"), permission="",
               stamps={"by": "paused_by", "at": "paused_at"}),
    Transition("resume", (C.PAUSED,), C.RUNNING, _("恢复时限"), permission=""),
    Transition("meet", STOPPABLE_CLOCK_STATES, C.MET, _("按时完成"), stamps={"at": "met_at"}),
    Transition("finish_late", STOPPABLE_CLOCK_STATES, C.LATE, _("超时完成"), stamps={"at": "met_at"}),
    Transition("cancel", STOPPABLE_CLOCK_STATES, C.CANCELLED, _("取消时限")),
    Transition("warn", (C.RUNNING,), C.AT_RISK, _("时限即将超时")),
    Transition("breach", (C.RUNNING, C.AT_RISK), C.BREACHED, _("时限已超时"), stamps={"at": "breached_at"}),
    # Still breached, one level higher: the escalation is the compare-and-set's other column.
    Transition("escalate", (C.BREACHED,), C.BREACHED, _("超时未处理，上报经理")),
    # An approved extension (crm's approval step decided who may): a live clock runs again to
    # its new deadline, a paused one stays paused until it is resumed.
    Transition("extend", tuple(LIVE_CLOCK_STATES), C.RUNNING, _("批准延期"), permission=""),
    Transition("extend_paused", (C.PAUSED,), C.PAUSED, _("批准延期"), permission=""),
])


class RegisterTally(models.Model):
    """The register's counts for one project: its cases, and those of each work queue.

    Kept by database triggers (migration ``0010_register_tally``) on every insert, update and
    delete of a case or a clock, whatever writes it (services, the SLA scan's bulk updates, the
    admin, a data fix in SQL), in the writing transaction: the counts are exact, and the
    register's badges and total for any scope are one sum over at most one row per project
    instead of a count over every case. ``complaints.tally`` reads them and can rebuild them.
    The clock queues count clocks, as the badges always have (a case with two breached clocks
    counts twice under 已超时).
    """

    project = models.OneToOneField("owners.Project", on_delete=models.CASCADE, primary_key=True, related_name="+",
                                   verbose_name=_("项目"))
    total = models.BigIntegerField(_("案件"), default=0)
    classify = models.BigIntegerField(_("待界定"), default=0)
    approve = models.BigIntegerField(_("待审批"), default=0)
    due = models.BigIntegerField(_("即将到期"), default=0)
    breached = models.BigIntegerField(_("已超时"), default=0)
    visits = models.BigIntegerField(_("待回访"), default=0)

    derived_by_triggers = True  # not data of its own: the demo snapshot leaves it out and refills it

    class Meta:
        verbose_name = _("登记簿计数")
        verbose_name_plural = _("登记簿计数")

    def __str__(self):
        return f"{self.project_id}: {self.total}"

    @classmethod
    def rebuild(cls) -> None:
        from .tally import rebuild

        rebuild()


class ComplaintReport(models.Model):
    """A stored daily or weekly statistics report (部门日、周汇报表)."""

    period = models.CharField(_("周期"), max_length=10)  # daily / weekly
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    data = models.JSONField(_("数据"), default=dict)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("投诉统计报表")
        verbose_name_plural = _("投诉统计报表")
        ordering = ["-start"]
        constraints = [models.UniqueConstraint(fields=["period", "start"], name="report_unique_period")]

    def __str__(self):
        return f"{self.period} {self.start}"


def _timeline_archived(ids, at) -> None:
    text = recorded(_("资料归档（关闭超过规定天数，系统自动归档）"))
    TimelineEntry.objects.bulk_create([TimelineEntry(complaint_id=pk, actor=None, kind="archive", text=text)
                                       for pk in ids])


# Closed cases older than the rule crm.archive_after_days are archived by crm's shared job.
archivable(Complaint, workflows=(COMPLAINT_FLOW, SHORT_FLOW), transition="archive", closed_at_field="closed_at",
           on_archived=_timeline_archived)
