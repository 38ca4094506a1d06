"""Title certificates through agent companies, mortgage loans and their overdue collection.

Every state machine is declared once here (``crm.workflow``); services fire it.
"""
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm.approvals import ApprovalStep, approval_guard
from crm.roles import Role
from crm.workflow import Transition, Workflow
from owners.validators import validate_master_date

STAFF = (Role.CS_STAFF, Role.CS_SUPERVISOR)


class AgentCompany(models.Model):
    """An agent company (代办公司) that processes title certificates for owners."""

    class Rating(models.IntegerChoices):
        POOR = 1, _("差")
        FAIR = 2, _("一般")
        GOOD = 3, _("良好")
        VERY_GOOD = 4, _("优秀")
        EXCELLENT = 5, _("卓越")

    name = models.CharField(_("公司名称"), max_length=100, unique=True)
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    rating = models.PositiveSmallIntegerField(_("信誉评级"), choices=Rating.choices, default=Rating.GOOD)
    active = models.BooleanField(_("合作中"), default=True)
    notes = models.TextField(_("备注"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("代办公司")
        verbose_name_plural = _("代办公司")
        ordering = ["name"]

    def __str__(self):
        return self.name


class AgencyAgreement(models.Model):
    """An agency agreement (产权证代办协议) for one project, with the agreed days per stage."""
    # Changed only by the services (crm.workflow.guarded_fields): read-only in the admin.
    GUARDED_FIELDS = ("agent", "project", "scope", "fee_per_case", "total_fee", "signed_on", "days_submit",
                      "days_file", "days_issue", "days_mortgage", "days_release")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PENDING = "pending", _("待审批")
        REJECTED = "rejected", _("已驳回")
        ACTIVE = "active", _("生效")
        ENDED = "ended", _("已终止")

    number = models.CharField(_("协议编号"), max_length=20, unique=True, editable=False)
    agent = models.ForeignKey(AgentCompany, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("代办公司"))
    project = models.ForeignKey("owners.Project", on_delete=models.PROTECT, related_name="agency_agreements",
                                verbose_name=_("项目"))
    scope = models.TextField(_("代办范围"))
    fee_per_case = models.DecimalField(_("每户代办费(元)"), max_digits=10, decimal_places=2, default=0)
    total_fee = models.DecimalField(_("协议总金额(元)"), max_digits=12, decimal_places=2, default=0)
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    days_submit = models.PositiveSmallIntegerField(_("收齐材料至提交代办(天)"), default=7)
    days_file = models.PositiveSmallIntegerField(_("提交代办至递件登记(天)"), default=15)
    days_issue = models.PositiveSmallIntegerField(_("递件至出证(天)"), default=30)
    days_mortgage = models.PositiveSmallIntegerField(_("出证至办妥抵押登记(天)"), default=15)
    days_release = models.PositiveSmallIntegerField(_("抵押登记至撤销担保(天)"), default=30)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("拟稿人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("代办协议")
        verbose_name_plural = _("代办协议")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.number} {self.agent} · {self.project}"

    def days_for(self, stage: str) -> int | None:
        """Agreed days for leaving ``stage`` (None for a stage with no agreed time)."""
        field = STAGE_DAYS_FIELD.get(stage)
        return getattr(self, field) if field else None


# approve/reject: no change permission (the manager only views); the approver is the one the
# authority matrix named for the pending version, the check crm.approvals makes.
AGREEMENT_WORKFLOW = Workflow("status", permission="mortgage.change_agencyagreement", transitions=[
    Transition("submit", ("draft", "rejected"), "pending", _("提交审批"), STAFF),
    Transition("activate", ("draft", "rejected"), "active", _("直接生效"), STAFF, "success"),
    Transition("approve", ("pending",), "active", _("批准"), (), "success", permission="", guard=approval_guard),
    Transition("reject", ("pending",), "rejected", _("驳回"), (), "danger", permission="", guard=approval_guard),
    Transition("end", ("active",), "ended", _("终止协议"), (Role.CS_SUPERVISOR,), "outline-danger"),
])
# The manager's approval (when the fee rule requires it) is the shared step, which fires these.
AgencyAgreement.approval_step = ApprovalStep("mortgage.agency_agreement", AGREEMENT_WORKFLOW, on_submit="submit",
                                             on_approve="approve", on_reject="reject")


class TitleCertificateCase(models.Model):
    """One owner's title certificate for one unit (产权证办理), from materials to the
    release of the developer's mortgage guarantee."""
    # Changed only by the services (crm.workflow.guarded_fields): read-only in the admin.
    GUARDED_FIELDS = ("stage_since", "due_date", "collected_on", "submitted_on", "filed_on", "certificate_date",
                      "mortgage_registered_on", "release_requested_on", "released_on", "released_by",
                      "late_notified_on")

    class Stage(models.TextChoices):
        COLLECTED = "collected", _("材料已收齐")
        SUBMITTED = "submitted", _("已提交代办")
        FILED = "filed", _("已递件登记")
        ISSUED = "issued", _("已出证")
        MORTGAGE_REGISTERED = "mortgage_registered", _("已办抵押登记")
        RELEASE_REQUESTED = "release_requested", _("已申请撤销担保")
        RELEASED = "released", _("担保已撤销")
        COMPLETED = "completed", _("已办结(无贷款)")

    project = models.ForeignKey("owners.Project", on_delete=models.PROTECT, related_name="certificate_cases",
                                verbose_name=_("项目"))
    unit = models.ForeignKey("owners.Unit", on_delete=models.PROTECT, related_name="certificate_cases",
                             verbose_name=_("房号"))
    customer = models.ForeignKey("owners.Customer", on_delete=models.PROTECT, related_name="certificate_cases",
                                 verbose_name=_("业主"))
    agreement = models.ForeignKey(AgencyAgreement, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="cases", verbose_name=_("代办协议"))
    loan = models.ForeignKey("MortgageLoan", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="certificate_cases", verbose_name=_("按揭贷款"))
    stage = models.CharField(_("办理阶段"), max_length=20, choices=Stage.choices, default=Stage.COLLECTED,
                             db_index=True)
    stage_since = models.DateField(_("进入本阶段日期"))
    due_date = models.DateField(_("本阶段约定完成日期"), null=True, blank=True, db_index=True)
    collected_on = models.DateField(_("材料收齐日期"))
    submitted_on = models.DateField(_("提交代办日期"), null=True, blank=True)
    filed_on = models.DateField(_("递件日期"), null=True, blank=True)
    certificate_number = models.CharField(_("产权证号"), max_length=50, blank=True)
    certificate_date = models.DateField(_("出证日期"), null=True, blank=True)
    mortgage_registered_on = models.DateField(_("抵押登记日期"), null=True, blank=True)
    release_requested_on = models.DateField(_("申请撤销担保日期"), null=True, blank=True)
    released_on = models.DateField(_("撤销担保日期"), null=True, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("财务确认人"))
    late_notified_on = models.DateField(_("最近逾期提醒日期"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("产权证办理")
        verbose_name_plural = _("产权证办理")
        ordering = ["project", "unit"]
        constraints = [models.UniqueConstraint(fields=["unit", "customer"], name="certificate_case_unique_unit_owner")]
        permissions = [("confirm_release", _("可确认撤销按揭担保"))]

    def __str__(self):
        return f"{self.unit} {self.customer.name}"

    @property
    def is_finished(self) -> bool:
        return self.stage in FINISHED_STAGES


FINISHED_STAGES = (TitleCertificateCase.Stage.RELEASED, TitleCertificateCase.Stage.COMPLETED)
STAGE_DAYS_FIELD = {
    "collected": "days_submit",
    "submitted": "days_file",
    "filed": "days_issue",
    "issued": "days_mortgage",
    "mortgage_registered": "days_release",
    "release_requested": "days_release",
}

# The loan rule, declared once on the transitions: the service fires through it and the case
# page offers only the steps it allows (crm.workflow returns the reason as the refusal).
def _with_loan(case, user) -> str | None:
    if case.loan_id is None:
        return _("该业主没有按揭贷款，无需办理抵押登记或撤销担保，请直接办结。")
    return None


def _without_loan(case, user) -> str | None:
    if case.loan_id is not None:
        return _("该业主有按揭贷款，出证后须办理抵押登记并撤销开发商担保。")
    return None


CERTIFICATE_WORKFLOW = Workflow("stage", permission="mortgage.change_titlecertificatecase", transitions=[
    Transition("submit", ("collected",), "submitted", _("提交代办公司"), STAFF),
    Transition("file", ("submitted",), "filed", _("已递件登记"), STAFF),
    Transition("issue", ("filed",), "issued", _("登记出证"), STAFF, "success"),
    Transition("register_mortgage", ("issued",), "mortgage_registered", _("办妥抵押登记"), STAFF, guard=_with_loan),
    Transition("complete", ("issued",), "completed", _("办结(无贷款)"), STAFF, "success", guard=_without_loan),
    Transition("request_release", ("mortgage_registered",), "release_requested", _("申请撤销按揭担保"), STAFF,
               guard=_with_loan),
    Transition("confirm_release", ("release_requested",), "released", _("财务确认撤销担保"), (Role.FINANCE,), "success",
               permission="mortgage.confirm_release", stamps={"by": "released_by"}),
])


class CertificateChase(models.Model):
    """One chase of the agent company (督促办证) with its result and the next date."""

    case = models.ForeignKey(TitleCertificateCase, on_delete=models.CASCADE, related_name="chases",
                             verbose_name=_("产权证办理"))
    chased_at = models.DateTimeField(_("督促时间"))
    chased_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("督促人"))
    result = models.TextField(_("督促结果"))
    next_date = models.DateField(_("下次督促日期"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("督促记录")
        verbose_name_plural = _("督促记录")
        ordering = ["-chased_at"]


class MortgageLoan(models.Model):
    """An owner's mortgage loan, guaranteed by the developer until the guarantee is released."""
    # Changed only by the services (crm.workflow.guarded_fields): read-only in the admin.
    GUARDED_FIELDS = ("guarantee_active", "guarantee_released_on")

    loan_number = models.CharField(_("贷款编号"), max_length=40, unique=True)
    customer = models.ForeignKey("owners.Customer", on_delete=models.PROTECT, related_name="mortgage_loans",
                                 verbose_name=_("业主"))
    unit = models.ForeignKey("owners.Unit", on_delete=models.PROTECT, related_name="mortgage_loans",
                             verbose_name=_("房号"))
    project = models.ForeignKey("owners.Project", on_delete=models.PROTECT, related_name="mortgage_loans",
                                verbose_name=_("项目"))
    bank = models.CharField(_("贷款银行"), max_length=60)
    amount = models.DecimalField(_("贷款金额(元)"), max_digits=12, decimal_places=2)
    term_months = models.PositiveSmallIntegerField(_("贷款期限(月)"))
    # The first day the loan can be overdue (mortgage.imports refuses an overdue start before it):
    # a typo here would let any list through, so it follows the master-data date rule.
    start_date = models.DateField(_("放款日期"), null=True, blank=True, validators=[validate_master_date])
    guarantee_active = models.BooleanField(_("开发商担保有效"), default=True)
    guarantee_released_on = models.DateField(_("担保撤销日期"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("按揭贷款")
        verbose_name_plural = _("按揭贷款")
        ordering = ["loan_number"]

    def __str__(self):
        return f"{self.loan_number}（{self.bank}）"


class OverdueUpload(models.Model):
    """An overdue list from finance (.xlsx), kept with who uploaded it and when."""

    class Status(models.TextChoices):
        INVALID = "invalid", _("校验未通过")
        VALID = "valid", _("待确认导入")
        APPLIED = "applied", _("已导入")

    file = models.FileField(_("文件"), upload_to="mortgage/overdue/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=200)
    sha256 = models.CharField(_("文件摘要"), max_length=64, db_index=True)
    report_date = models.DateField(_("报表日期"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.VALID)
    row_count = models.PositiveIntegerField(_("行数"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    summary = models.JSONField(_("导入结果"), default=dict, blank=True)
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("逾期名单上传")
        verbose_name_plural = _("逾期名单上传")
        ordering = ["-uploaded_at"]
        constraints = [models.UniqueConstraint(fields=["sha256"], condition=Q(status="applied"),
                                               name="overdue_upload_applied_once")]
        permissions = [("import_overdue", _("可导入按揭逾期名单"))]

    def __str__(self):
        return f"{self.original_name}（{self.report_date}）"


class OverdueRecord(models.Model):
    """A loan's overdue episode (按揭逾期), opened by a finance list and closed when the loan
    is absent from a later list."""
    # Changed only by the services (crm.workflow.guarded_fields): read-only in the admin.
    GUARDED_FIELDS = ("status", "amount", "overdue_since", "periods", "bank_recommends", "first_upload", "last_upload",
                      "last_report_date", "closed_on", "unlisted_on", "litigation_required", "litigation_reason",
                      "litigation_flagged_at")

    class Status(models.TextChoices):
        OPEN = "open", _("逾期中")
        CLOSED = "closed", _("已结清")

    loan = models.ForeignKey(MortgageLoan, on_delete=models.PROTECT, related_name="overdue_records",
                             verbose_name=_("按揭贷款"))
    project = models.ForeignKey("owners.Project", on_delete=models.PROTECT, related_name="overdue_records",
                                verbose_name=_("项目"))
    customer = models.ForeignKey("owners.Customer", on_delete=models.PROTECT, related_name="overdue_records",
                                 verbose_name=_("业主"))
    amount = models.DecimalField(_("逾期金额(元)"), max_digits=12, decimal_places=2)
    overdue_since = models.DateField(_("逾期起始日"))
    periods = models.PositiveSmallIntegerField(_("逾期期数"), default=0)
    bank_recommends = models.BooleanField(_("银行建议诉讼"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    first_upload = models.ForeignKey(OverdueUpload, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("首次出现的名单"))
    last_upload = models.ForeignKey(OverdueUpload, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("最近出现的名单"))
    last_report_date = models.DateField(_("最近报表日期"))
    closed_on = models.DateField(_("结清日期"), null=True, blank=True)
    # A record in litigation is never closed by a list (issue 13, defect 8): when a later list
    # no longer names it, it stays open and this keeps that list's report date for legal.
    unlisted_on = models.DateField(_("最近名单未列出日期"), null=True, blank=True)
    litigation_required = models.BooleanField(_("须诉讼"), default=False, db_index=True)
    litigation_reason = models.CharField(_("诉讼理由"), max_length=200, blank=True)
    litigation_flagged_at = models.DateTimeField(_("判定须诉讼时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("按揭逾期记录")
        verbose_name_plural = _("按揭逾期记录")
        ordering = ["-amount"]
        constraints = [models.UniqueConstraint(fields=["loan"], condition=Q(status="open"),
                                               name="overdue_record_one_open_per_loan")]

    def __str__(self):
        return f"{self.loan.loan_number} {self.amount}"

    @property
    def litigation_reason_display(self) -> str:
        """The reasons joined for reading (the stored text ends each reason with "；")."""
        return "；".join(part for part in self.litigation_reason.split("；") if part.strip())


class CollectionReminder(models.Model):
    """One reminder to an overdue owner (催缴记录): how, what was promised, when to follow up."""

    class Method(models.TextChoices):
        PHONE = "phone", _("电话")
        SMS = "sms", _("短信")
        EMAIL = "email", _("电子邮件")
        LAWYER_LETTER = "lawyer_letter", _("律师函")
        VISIT = "visit", _("上门拜访")

    record = models.ForeignKey(OverdueRecord, on_delete=models.CASCADE, related_name="reminders",
                               verbose_name=_("逾期记录"))
    method = models.CharField(_("催缴方式"), max_length=15, choices=Method.choices)
    contacted_at = models.DateTimeField(_("催缴时间"))
    contacted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("催缴人"))
    summary = models.TextField(_("沟通情况"))
    promise = models.CharField(_("业主承诺"), max_length=200, blank=True)
    promised_date = models.DateField(_("承诺还款日期"), null=True, blank=True)
    next_follow_up = models.DateField(_("下次跟进日期"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("催缴记录")
        verbose_name_plural = _("催缴记录")
        ordering = ["-contacted_at"]


class LitigationCase(models.Model):
    """A lawsuit against an owner in default (诉讼案件), handed by cs_staff to legal."""
    # Changed only by the services (crm.workflow.guarded_fields): read-only in the admin.
    GUARDED_FIELDS = ("record", "handed_over_by", "handed_over_at", "filed_on", "hearing_on", "judgment_on")

    class Stage(models.TextChoices):
        HANDED_OVER = "handed_over", _("已移交法务")
        FILED = "filed", _("已立案")
        HEARING = "hearing", _("开庭审理")
        JUDGMENT = "judgment", _("已判决")
        ENFORCEMENT = "enforcement", _("强制执行")
        SETTLED = "settled", _("已和解")
        CLOSED = "closed", _("已结案")

    number = models.CharField(_("案件编号"), max_length=20, unique=True, editable=False)
    record = models.OneToOneField(OverdueRecord, on_delete=models.PROTECT, related_name="litigation",
                                  verbose_name=_("逾期记录"))
    project = models.ForeignKey("owners.Project", on_delete=models.PROTECT, related_name="litigation_cases",
                                verbose_name=_("项目"))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="litigation_cases",
                                 verbose_name=_("承办法务"))
    handed_over_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                       verbose_name=_("移交人"))
    handed_over_at = models.DateTimeField(_("移交时间"), auto_now_add=True)
    dossier_note = models.TextField(_("案卷说明"))
    contract_file = models.FileField(_("按揭合同"), upload_to="mortgage/litigation/%Y/", blank=True)
    statement_file = models.FileField(_("银行对账单/逾期证明"), upload_to="mortgage/litigation/%Y/", blank=True)
    stage = models.CharField(_("诉讼阶段"), max_length=12, choices=Stage.choices, default=Stage.HANDED_OVER)
    court = models.CharField(_("受理法院"), max_length=100, blank=True)
    court_case_number = models.CharField(_("案号"), max_length=60, blank=True)
    filed_on = models.DateField(_("立案日期"), null=True, blank=True)
    hearing_on = models.DateField(_("开庭日期"), null=True, blank=True)
    judgment_on = models.DateField(_("判决日期"), null=True, blank=True)
    outcome = models.TextField(_("结果说明"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("诉讼案件")
        verbose_name_plural = _("诉讼案件")
        ordering = ["-handed_over_at"]
        permissions = [("hand_over_litigation", _("可将逾期案卷移交法务"))]

    def __str__(self):
        return self.number


LITIGATION_OPEN = ("handed_over", "filed", "hearing", "judgment", "enforcement")
def _assignee(case, user) -> None:
    """A lawsuit is run by the legal user it was handed to (an administrator may step in)."""
    if not user.is_superuser and case.assignee_id != user.pk:
        raise PermissionDenied(_("该案件未移交给您。"))


LITIGATION_WORKFLOW = Workflow("stage", permission="mortgage.change_litigationcase", transitions=[
    Transition("file", ("handed_over",), "filed", _("立案"), (Role.LEGAL,), guard=_assignee),
    Transition("hearing", ("filed",), "hearing", _("开庭"), (Role.LEGAL,), guard=_assignee),
    Transition("judgment", ("hearing",), "judgment", _("判决"), (Role.LEGAL,), guard=_assignee),
    Transition("enforce", ("judgment",), "enforcement", _("申请强制执行"), (Role.LEGAL,), guard=_assignee),
    Transition("settle", LITIGATION_OPEN, "settled", _("和解"), (Role.LEGAL,), "success", guard=_assignee),
    Transition("close", LITIGATION_OPEN, "closed", _("结案"), (Role.LEGAL,), "secondary", guard=_assignee),
])
