import uuid

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import models
from django.db.models.signals import class_prepared
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm.workflow import Transition, Workflow
from property_liaison.defaults import shown_name


class PropertyCompany(models.Model):
    name = models.CharField(_("物业公司"), max_length=100, unique=True)
    contact = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("物业公司")
        verbose_name_plural = _("物业公司")
        ordering = ["name"]

    def __str__(self):
        return self.name


class PropertyAppointment(models.Model):
    """The company appointed to manage a project, from a date until the owners replace it (置换)."""

    project = models.ForeignKey("owners.Project", on_delete=models.PROTECT, related_name="appointments",
                                verbose_name=_("项目"))
    company = models.ForeignKey(PropertyCompany, on_delete=models.PROTECT, related_name="appointments",
                                verbose_name=_("物业公司"))
    start_date = models.DateField(_("委托开始"))
    end_date = models.DateField(_("委托结束"), null=True, blank=True)
    contract_no = models.CharField(_("合同编号"), max_length=50, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("物业委托")
        verbose_name_plural = _("物业委托")
        ordering = ["project", "-start_date"]

    def __str__(self):
        return f"{self.project} ← {self.company}"

    def clean(self):
        """One company at a time per project: the period must be ordered and must not overlap
        another appointment of the same project (the admin's form calls this)."""
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("委托结束日期不能早于开始日期。")})
        if not self.project_id or not self.start_date:
            return
        others = PropertyAppointment.objects.filter(project_id=self.project_id).exclude(pk=self.pk)
        others = others.filter(models.Q(end_date__isnull=True) | models.Q(end_date__gte=self.start_date))
        if self.end_date:
            others = others.filter(start_date__lte=self.end_date)
        clash = others.select_related("company").first()
        if clash:
            until = clash.end_date or gettext("至今")
            raise ValidationError(gettext("该项目在 {start} 至 {until} 已委托给{company}，委托期间不能重叠。").format(
                start=clash.start_date, until=until, company=clash.company))


# --- Uploads ---------------------------------------------------------------------------------

def _stored_name(folder, filename):
    # A random name: the owner's file name may carry personal data and is not trusted.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"property_liaison/{folder}/{uuid.uuid4().hex}.{ext}"


def upload_evidence(instance, filename):
    return _stored_name("evidence", filename)


def upload_photo(instance, filename):
    return _stored_name("photos", filename)


# --- Follow-ups (答复与验证): action items and rectifications -----------------------------------

class FollowUp(models.Model):
    """Something the property company (or, for some action items, the department) must do and
    answer, with evidence, and the developer then verifies or sends back: a coordination's action
    item (ActionItem) or an inspection finding's rectification (Rectification). Every kind moves
    along the one workflow of ``follow_up_workflow`` through the services ``follow_up_answer``,
    ``follow_up_verify`` and ``follow_up_reopen``, on one page (views.follow_up_detail).

    A kind names what it is about in ``__str__``, its page in ``get_absolute_url``, who raised it
    (``raised_by``: told when it is answered, to verify it) and the company concerned
    (``property_company``: told when it is sent back). It may word three of the fields its own
    way: its own ``Status`` (the same states), ``ANSWER_LABEL`` and ``EVIDENCE_LABEL``
    (``_word_follow_up``)."""
    # Changed only by the services (crm.workflow.guarded_fields): read-only in the admin.
    GUARDED_FIELDS = ("answered_by", "answered_at", "verified_by", "verified_at")

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        ANSWERED = "answered", _("已答复")
        VERIFIED = "verified", _("已验证")

    ANSWER_LABEL = _("处理答复")
    EVIDENCE_LABEL = _("佐证材料")

    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    answer = models.TextField(ANSWER_LABEL, blank=True)
    evidence = models.FileField(EVIDENCE_LABEL, upload_to=upload_evidence, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("答复人"))
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("验证人"))
    verified_at = models.DateTimeField(_("验证时间"), null=True, blank=True)
    verification_note = models.CharField(_("验证意见"), max_length=300, blank=True)

    class Meta:
        abstract = True

    @property
    def workflow(self) -> Workflow:
        return FOLLOW_UP_WORKFLOWS[type(self)]

    @property
    def company_answers(self) -> bool:
        """Whether the property company answers it; the department answers (or records the
        answer of) the others, and the company is not told of their send-backs."""
        return True

    @property
    def raised_by(self):
        raise NotImplementedError

    @property
    def property_company(self):
        raise NotImplementedError


@receiver(class_prepared)
def _word_follow_up(sender, **kwargs) -> None:
    """Give a kind of follow-up's fields its own words (FollowUp's docstring). Relabelled in
    place, not redeclared, so that they keep their place among the fields (the history lists
    changes in that order) and their shape; before simple-history copies them (its receiver
    is connected later, by the model's ``history``)."""
    if not issubclass(sender, FollowUp):
        return
    if sender.Status.values != FollowUp.Status.values:
        raise ImproperlyConfigured(f"{sender.__name__}.Status must have the states of FollowUp.Status.")
    sender._meta.get_field("status").choices = sender.Status.choices
    for name, label in (("answer", sender.ANSWER_LABEL), ("evidence", sender.EVIDENCE_LABEL)):
        field = sender._meta.get_field(name)
        field.verbose_name = field._verbose_name = label  # the second is what migrations read (deconstruct)


# --- Coordination (定期协调) -----------------------------------------------------------------

class Cadence(models.TextChoices):
    DAILY = "daily", _("每日")
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")


class CoordinationPlan(models.Model):
    """The target cadence of coordination for a project (never less than monthly)."""

    project = models.OneToOneField("owners.Project", on_delete=models.CASCADE, related_name="coordination_plan",
                                   verbose_name=_("项目"))
    cadence = models.CharField(_("协调频次"), max_length=10, choices=Cadence.choices, default=Cadence.MONTHLY)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("协调频次")
        verbose_name_plural = _("协调频次")

    def __str__(self):
        return f"{self.project} {self.get_cadence_display()}"


class CoordinationMeeting(models.Model):
    """One coordination with the property company: a meeting, a call, an on-site walk…"""

    class Form(models.TextChoices):
        MEETING = "meeting", _("会议")
        PHONE = "phone", _("电话")
        ON_SITE = "on_site", _("现场协调")
        OTHER = "other", _("其他")

    number = models.CharField(_("编号"), max_length=20, unique=True, editable=False)
    project = models.ForeignKey("owners.Project", on_delete=models.PROTECT, related_name="coordination_meetings",
                                verbose_name=_("项目"))
    company = models.ForeignKey(PropertyCompany, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="coordination_meetings", verbose_name=_("物业公司"))
    date = models.DateField(_("协调日期"), db_index=True)
    form = models.CharField(_("协调形式"), max_length=10, choices=Form.choices, default=Form.MEETING)
    attendees = models.CharField(_("参加人员"), max_length=300)
    minutes = models.TextField(_("会议纪要"))
    issues_raised = models.TextField(_("提出的问题"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("记录人"))
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("协调记录")
        verbose_name_plural = _("协调记录")
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.number} {self.project} {self.date}"


class ActionItem(FollowUp):
    """An action agreed in a coordination, with an owner and a due date, followed up to verification."""

    class Party(models.TextChoices):
        PROPERTY_COMPANY = "property_company", _("物业公司")
        DEVELOPER = "developer", _("开发商")
        OTHER = "other", _("其他")

    meeting = models.ForeignKey(CoordinationMeeting, on_delete=models.CASCADE, related_name="action_items",
                                verbose_name=_("协调记录"))
    project = models.ForeignKey("owners.Project", on_delete=models.PROTECT, related_name="action_items",
                                verbose_name=_("项目"))
    description = models.CharField(_("事项"), max_length=300)
    party = models.CharField(_("责任方"), max_length=20, choices=Party.choices, default=Party.PROPERTY_COMPANY)
    assignee = models.CharField(_("责任人"), max_length=50)
    due_date = models.DateField(_("完成期限"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("协调事项")
        verbose_name_plural = _("协调事项")
        ordering = ["status", "due_date", "pk"]

    def __str__(self):
        return self.description

    def get_absolute_url(self):
        return reverse("property_liaison:action_item_detail", args=[self.pk])

    @property
    def company_answers(self) -> bool:
        return self.party == self.Party.PROPERTY_COMPANY

    @property
    def raised_by(self):
        """Whoever recorded the coordination."""
        return self.meeting.recorded_by

    @property
    def property_company(self):
        return self.meeting.company


class CoordinationGap(models.Model):
    """A project found without coordination past its due date (one row per project and due date)."""

    project = models.ForeignKey("owners.Project", on_delete=models.CASCADE, related_name="coordination_gaps",
                                verbose_name=_("项目"))
    due_date = models.DateField(_("应协调日期"))
    last_date = models.DateField(_("上次协调日期"), null=True, blank=True)
    flagged_at = models.DateTimeField(_("发现时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("协调缺失")
        verbose_name_plural = _("协调缺失")
        ordering = ["-due_date"]
        constraints = [models.UniqueConstraint(fields=["project", "due_date"], name="coordination_gap_once")]

    def __str__(self):
        return f"{self.project} {self.due_date}"


# --- Supervision (工作监督) ------------------------------------------------------------------

class Area(models.TextChoices):
    SECURITY = "security", _("安保")
    CLEANING = "cleaning", _("保洁")
    GREENING = "greening", _("绿化")
    FACILITIES = "facilities", _("设施设备")
    MOVEIN = "movein", _("入住与装修管理")


class Inspection(models.Model):
    """An inspection record of the property company's work (作业记录 8.1)."""

    class Kind(models.TextChoices):
        ROUTINE = "routine", _("日常检查")
        SPECIAL = "special", _("专项检查")
        OWNERS = "owners", _("业主意见")

    number = models.CharField(_("编号"), max_length=20, unique=True, editable=False)
    project = models.ForeignKey("owners.Project", on_delete=models.PROTECT, related_name="inspections",
                                verbose_name=_("项目"))
    company = models.ForeignKey(PropertyCompany, on_delete=models.PROTECT, related_name="inspections",
                                verbose_name=_("物业公司"))
    kind = models.CharField(_("检查类型"), max_length=10, choices=Kind.choices, default=Kind.ROUTINE)
    date = models.DateField(_("检查日期"), db_index=True)
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("检查人"))
    summary = models.TextField(_("检查情况"), blank=True)
    score = models.DecimalField(_("综合得分"), max_digits=5, decimal_places=1, null=True, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("监督检查")
        verbose_name_plural = _("监督检查")
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.number} {self.project} {self.date}"


class InspectionScore(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="scores",
                                   verbose_name=_("监督检查"))
    area = models.CharField(_("检查区域"), max_length=12, choices=Area.choices)
    score = models.PositiveSmallIntegerField(_("得分"))
    note = models.CharField(_("扣分说明"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("检查评分")
        verbose_name_plural = _("检查评分")
        ordering = ["inspection", "area"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "area"], name="inspection_score_once_per_area"),
            models.CheckConstraint(condition=models.Q(score__lte=100), name="inspection_score_at_most_100"),
        ]


class Finding(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings",
                                   verbose_name=_("监督检查"))
    area = models.CharField(_("检查区域"), max_length=12, choices=Area.choices)
    description = models.TextField(_("发现的问题"))
    photo = models.FileField(_("照片"), upload_to=upload_photo, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("检查发现")
        verbose_name_plural = _("检查发现")
        ordering = ["pk"]

    def __str__(self):
        return self.description[:40]


class Rectification(FollowUp):
    """A required rectification: the company answers, the developer verifies (or sends it back)."""
    GUARDED_FIELDS = (*FollowUp.GUARDED_FIELDS, "escalated_at")

    # Its own words for three of the follow-up's fields ("to rectify", not "to handle").
    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        ANSWERED = "answered", _("已答复")
        VERIFIED = "verified", _("已验证")

    ANSWER_LABEL = _("整改答复")
    EVIDENCE_LABEL = _("整改照片/材料")

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="rectifications",
                                verbose_name=_("检查发现"))
    project = models.ForeignKey("owners.Project", on_delete=models.PROTECT, related_name="rectifications",
                                verbose_name=_("项目"))
    requirement = models.CharField(_("整改要求"), max_length=300)
    deadline = models.DateField(_("整改期限"), db_index=True)
    escalated_at = models.DateTimeField(_("逾期升级时间"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("整改通知")
        verbose_name_plural = _("整改通知")
        ordering = ["status", "deadline", "pk"]

    def __str__(self):
        return self.requirement

    def get_absolute_url(self):
        return reverse("property_liaison:rectification_detail", args=[self.pk])

    @property
    def raised_by(self):
        """The inspector who found it."""
        return self.finding.inspection.inspector

    @property
    def property_company(self):
        return self.finding.inspection.company


# --- Owners' committee (业主委员会) -----------------------------------------------------------

class CommitteeFormation(models.Model):
    class Step(models.TextChoices):
        WAITING = "waiting", _("条件未具备")
        CONDITIONS_MET = "conditions_met", _("已具备成立条件")
        PREPARATORY_GROUP = "preparatory_group", _("筹备组已成立")
        SUBDISTRICT_GUIDANCE = "subdistrict_guidance", _("街道办事处指导")
        OWNERS_MEETING = "owners_meeting", _("业主大会已召开")
        ELECTED = "elected", _("业委会已选举")
        REGISTERED = "registered", _("已备案")
        REPLACED = "replaced", _("物业已置换")

    project = models.OneToOneField("owners.Project", on_delete=models.CASCADE, related_name="committee_formation",
                                   verbose_name=_("项目"))
    step = models.CharField(_("进展"), max_length=24, choices=Step.choices, default=Step.WAITING, db_index=True)
    condition_date = models.DateField(_("具备条件日期"), null=True, blank=True)
    notice_due_date = models.DateField(_("书面报告期限"), null=True, blank=True)
    authorities_notified_on = models.DateField(_("已报告房管部门/街道日期"), null=True, blank=True)
    step_date = models.DateField(_("本步骤日期"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)
    replaced_on = models.DateField(_("物业置换日期"), null=True, blank=True)
    new_company_name = models.CharField(_("接管的物业公司"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("业委会筹备")
        verbose_name_plural = _("业委会筹备")
        ordering = ["project"]

    def __str__(self):
        return f"{self.project} {self.get_step_display()}"


# --- Warranty repairs (保修期内维修) ----------------------------------------------------------

class WarrantyCategory(models.Model):
    code = models.SlugField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("保修项目"), max_length=60)
    period_months = models.PositiveIntegerField(_("保修期(月)"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("保修类别")
        verbose_name_plural = _("保修类别")
        ordering = ["period_months", "code"]

    def __str__(self):
        return shown_name(self.name)


class RepairRequest(models.Model):
    # Changed only by the services (crm.workflow.guarded_fields): read-only in the admin.
    GUARDED_FIELDS = ("reported_on", "warranty_ends", "in_warranty", "due_date", "completed_on",
                      "owner_confirmed_on", "return_visit_on")

    class Source(models.TextChoices):
        OWNER = "owner", _("业主报修")
        CASE = "case", _("投诉/案件转入")

    class Status(models.TextChoices):
        NEW = "new", _("待派工")
        ASSIGNED = "assigned", _("维修中")
        COMPLETED = "completed", _("已完工")
        CONFIRMED = "confirmed", _("业主已确认")
        VISITED = "visited", _("已回访")

    number = models.CharField(_("编号"), max_length=20, unique=True, editable=False)
    project = models.ForeignKey("owners.Project", on_delete=models.PROTECT, related_name="repair_requests",
                                verbose_name=_("项目"))
    unit = models.ForeignKey("owners.Unit", on_delete=models.PROTECT, related_name="repair_requests",
                             verbose_name=_("房号"))
    customer = models.ForeignKey("owners.Customer", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="repair_requests", verbose_name=_("报修业主"))
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.OWNER)
    case_reference = models.CharField(_("案件编号"), max_length=30, blank=True)
    category = models.ForeignKey(WarrantyCategory, on_delete=models.PROTECT, related_name="repair_requests",
                                 verbose_name=_("保修类别"))
    location = models.CharField(_("部位"), max_length=100)
    description = models.TextField(_("问题描述"))
    photo = models.FileField(_("照片"), upload_to=upload_photo, blank=True)
    reported_on = models.DateField(_("报修日期"))
    warranty_ends = models.DateField(_("保修截止"), null=True, blank=True)
    in_warranty = models.BooleanField(_("在保修期内"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.NEW, db_index=True)
    assignee = models.CharField(_("维修单位/人"), max_length=60, blank=True)
    due_date = models.DateField(_("完成期限"), null=True, blank=True)
    completed_on = models.DateField(_("完工日期"), null=True, blank=True)
    completion_note = models.CharField(_("维修情况"), max_length=300, blank=True)
    owner_confirmed_on = models.DateField(_("业主确认日期"), null=True, blank=True)
    return_visit_note = models.CharField(_("回访情况"), max_length=300, blank=True)
    return_visit_on = models.DateField(_("回访日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("登记人"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("保修维修")
        verbose_name_plural = _("保修维修")
        ordering = ["-reported_on", "-pk"]

    def __str__(self):
        return f"{self.number} {self.unit} {self.category}"


# --- Workflows (declared once; fired only by services) ---------------------------------------

_DEVELOPER = ("cs_staff", "cs_supervisor", "manager", "admin")
_ANSWERING = ("property_company", "cs_staff", "cs_supervisor", "admin")


def _answerable_by(follow_up, user) -> None:
    """The property company answers the follow-ups that are its to do; the department answers
    (or records the answer of) the others: the action items of another responsible party."""
    from crm.roles import Role
    from crm.scopes import user_role

    if user_role(user) == Role.PROPERTY_COMPANY and not follow_up.company_answers:
        raise PermissionDenied(gettext("该事项的责任方是“{party}”，由客户事务部答复。").format(
            party=follow_up.get_party_display()))


def _condition_met(formation, user) -> None:
    if formation.condition_date is None or formation.condition_date > timezone.localdate():
        raise ValidationError(_("按交付面积计算，该项目尚未具备成立业主大会的条件。"))


def follow_up_workflow(model: type[FollowUp], *, answer: str, reopen: str) -> Workflow:
    """The workflow of every kind of follow-up, with the kind's own labels of its steps. Each
    kind has its own, named by its change permission (crm.workflow finds the model by it)."""
    S = FollowUp.Status
    return Workflow("status", permission=f"property_liaison.change_{model._meta.model_name}", transitions=[
        Transition("answer", (S.OPEN,), S.ANSWERED, answer, _ANSWERING, guard=_answerable_by,
                   stamps={"by": "answered_by", "at": "answered_at"}),
        Transition("verify", (S.ANSWERED,), S.VERIFIED, _("验证通过"), _DEVELOPER, "success",
                   stamps={"by": "verified_by", "at": "verified_at"}),
        Transition("reopen", (S.ANSWERED,), S.OPEN, reopen, _DEVELOPER, "outline-danger"),
    ])


# Each workflow needs its model's change permission (the views' too), so a role that may only
# look (the manager) is offered no step it would be refused.
FOLLOW_UP_WORKFLOWS = {
    ActionItem: follow_up_workflow(ActionItem, answer=_("提交答复"), reopen=_("退回重办")),
    Rectification: follow_up_workflow(Rectification, answer=_("提交整改答复"), reopen=_("退回重新整改")),
}

_S = CommitteeFormation.Step
COMMITTEE_WORKFLOW = Workflow("step", permission="property_liaison.change_committeeformation", transitions=[
    Transition("conditions_met", (_S.WAITING,), _S.CONDITIONS_MET, _("确认具备条件"), _DEVELOPER, guard=_condition_met),
    Transition("preparatory_group", (_S.CONDITIONS_MET,), _S.PREPARATORY_GROUP, _("筹备组成立"), _DEVELOPER),
    Transition("subdistrict_guidance", (_S.PREPARATORY_GROUP,), _S.SUBDISTRICT_GUIDANCE, _("街道办事处指导"), _DEVELOPER),
    Transition("owners_meeting", (_S.SUBDISTRICT_GUIDANCE,), _S.OWNERS_MEETING, _("业主大会召开"), _DEVELOPER),
    Transition("elected", (_S.OWNERS_MEETING,), _S.ELECTED, _("业委会选举产生"), _DEVELOPER),
    Transition("registered", (_S.ELECTED,), _S.REGISTERED, _("业委会备案"), _DEVELOPER),
    Transition("replaced", (_S.ELECTED, _S.REGISTERED), _S.REPLACED, _("物业置换"), _DEVELOPER, "warning"),
])

_R = RepairRequest.Status
REPAIR_WORKFLOW = Workflow("status", permission="property_liaison.change_repairrequest", transitions=[
    Transition("assign", (_R.NEW,), _R.ASSIGNED, _("派工"), _ANSWERING),
    Transition("complete", (_R.ASSIGNED,), _R.COMPLETED, _("完工"), _ANSWERING, "success"),
    Transition("confirm", (_R.COMPLETED,), _R.CONFIRMED, _("业主确认"), _DEVELOPER + ("property_company",), "success"),
    Transition("reject", (_R.COMPLETED,), _R.ASSIGNED, _("业主不认可，返修"), _DEVELOPER + ("property_company",),
               "outline-danger"),
    Transition("visit", (_R.CONFIRMED,), _R.VISITED, _("回访"), _DEVELOPER),
])
