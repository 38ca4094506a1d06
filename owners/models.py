from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm.approvals import APPROVE, ApprovalStep, approval_guard
from crm.workflow import Transition, Workflow
from owners.validators import validate_master_date


class ExternalKey(models.Model):
    """The id another system (api.SystemClient.source) gives the record: unique per source."""

    external_source = models.CharField(_("外部系统"), max_length=30, blank=True)
    external_id = models.CharField(_("外部编号"), max_length=64, blank=True)

    class Meta:
        abstract = True


def external_unique(model: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(fields=["external_source", "external_id"], condition=~models.Q(external_id=""),
                                   name=f"{model}_external_unique")


class Project(ExternalKey):
    """A development (楼盘/小区). Before ``closeout_date`` its owners belong to the project department."""

    code = models.SlugField(_("项目编码"), max_length=30, unique=True)
    name = models.CharField(_("项目名称"), max_length=100, unique=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    closeout_date = models.DateField(_("封盘交接日期"), null=True, blank=True)
    first_movein_date = models.DateField(_("首次入伙日期"), null=True, blank=True, validators=[validate_master_date])
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["name"]
        constraints = [external_unique("project")]

    def __str__(self):
        return self.name


class Building(ExternalKey):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("项目"))
    name = models.CharField(_("楼栋"), max_length=50)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["project", "name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="building_unique_in_project"),
                       external_unique("building")]

    def __str__(self):
        return f"{self.project.name} {self.name}"


class Unit(ExternalKey):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="units", verbose_name=_("项目"))
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="units", verbose_name=_("楼栋"))
    number = models.CharField(_("房号"), max_length=20)
    floor = models.SmallIntegerField(_("楼层"), null=True, blank=True)
    area = models.DecimalField(_("建筑面积(㎡)"), max_digits=8, decimal_places=2)
    layout = models.CharField(_("户型"), max_length=40, blank=True)
    delivery_date = models.DateField(_("交付日期"), null=True, blank=True, validators=[validate_master_date], db_index=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("房号")
        verbose_name_plural = _("房号")
        ordering = ["building", "number"]
        constraints = [models.UniqueConstraint(fields=["building", "number"], name="unit_unique_in_building"),
                       external_unique("unit")]

    def __str__(self):
        return f"{self.building.name}-{self.number}"


class Customer(ExternalKey):
    class Stage(models.TextChoices):
        PROSPECT = "prospect", _("意向客户")
        SUBSCRIBED = "subscribed", _("认购客户")
        SIGNED = "signed", _("签约客户")
        RESIDENT = "resident", _("已入住客户")

    class Source(models.TextChoices):
        ADVERTISING = "advertising", _("广告宣传")
        REFERRAL = "referral", _("朋友介绍")
        WALK_BY = "walk_by", _("路过")
        EXHIBITION = "exhibition", _("展会")
        ONLINE = "online", _("线上")
        OTHER = "other", _("其他")

    class Gender(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    code = models.CharField(_("客户编码"), max_length=20, unique=True, editable=False)
    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True, db_index=True)
    phone = models.CharField(_("手机"), max_length=20, db_index=True)
    phone_alt = models.CharField(_("其他电话"), max_length=20, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    occupation = models.CharField(_("职业"), max_length=50, blank=True)
    address = models.CharField(_("通讯地址"), max_length=200, blank=True)
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="customers", verbose_name=_("所属项目"))
    stage = models.CharField(_("客户阶段"), max_length=12, choices=Stage.choices, default=Stage.PROSPECT)
    source = models.CharField(_("客户来源"), max_length=12, choices=Source.choices, default=Source.OTHER)
    online = models.BooleanField(_("线上客户"), default=False)
    confidential = models.BooleanField(_("保密服务"), default=False)
    need_area = models.CharField(_("需求面积"), max_length=40, blank=True)
    need_layout = models.CharField(_("需求户型"), max_length=40, blank=True)
    budget = models.CharField(_("购房预算"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("建档人"),
    )
    units = models.ManyToManyField(Unit, through="Ownership", related_name="customers", verbose_name=_("房产"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("客户")
        verbose_name_plural = _("客户")
        ordering = ["code"]
        # view_identity: phones and ID numbers in full; view_phone: phones in full, ID numbers masked
        # (owners.masking). Groups hold them through crm.roles, and an admin may move them.
        permissions = [("view_identity", _("可查看完整手机号和身份证号")), ("view_phone", _("可查看完整手机号"))]
        constraints = [external_unique("customer")]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class Ownership(ExternalKey):
    class Kind(models.TextChoices):
        OWNER = "owner", _("业主")
        CO_OWNER = "co_owner", _("共有人")
        TENANT = "tenant", _("租户")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="ownerships", verbose_name=_("客户"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="ownerships", verbose_name=_("房号"))
    kind = models.CharField(_("关系"), max_length=10, choices=Kind.choices, default=Kind.OWNER)
    contract_date = models.DateField(_("签约日期"), null=True, blank=True, validators=[validate_master_date])
    movein_date = models.DateField(_("入住日期"), null=True, blank=True, validators=[validate_master_date])
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("房产关系")
        verbose_name_plural = _("房产关系")
        constraints = [models.UniqueConstraint(fields=["customer", "unit", "kind"], name="ownership_unique"),
                       external_unique("ownership")]

    def __str__(self):
        return f"{self.customer.name} {self.get_kind_display()} {self.unit}"


class PreferenceProfile(models.Model):
    """客情档案: sensitive; opened only with a stated reason (see services.preference_open)."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="preference",
                                    verbose_name=_("客户"))
    anniversary = models.DateField(_("纪念日"), null=True, blank=True)
    allergies = models.CharField(_("过敏"), max_length=200, blank=True)
    dietary = models.CharField(_("饮食禁忌"), max_length=200, blank=True)
    likes = models.TextField(_("喜好"), blank=True)
    dislikes = models.TextField(_("忌讳"), blank=True)
    language = models.CharField(_("沟通语言"), max_length=50, blank=True)
    special_requests = models.TextField(_("特殊要求"), blank=True)
    previous_complaints = models.TextField(_("以往投诉"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("客情档案")
        verbose_name_plural = _("客情档案")

    def __str__(self):
        return gettext("{customer} 客情").format(customer=self.customer)


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError(_("调阅记录不可修改"))

    def delete(self):
        raise PermissionError(_("调阅记录不可删除"))


class AccessLog(models.Model):
    """调阅查看记录: append-only (who, when, what, why)."""

    class What(models.TextChoices):
        PREFERENCE = "preference", _("客情档案")
        OUT_OF_SCOPE = "out_of_scope", _("范围外客户资料")
        IDENTITY = "identity", _("完整证件信息")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("调阅人"))
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="access_logs",
                                 verbose_name=_("客户"))
    what = models.CharField(_("调阅内容"), max_length=20, choices=What.choices)
    reason = models.CharField(_("调阅原因"), max_length=300)
    created_at = models.DateTimeField(_("调阅时间"), auto_now_add=True, db_index=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("调阅查看记录")
        verbose_name_plural = _("调阅查看记录")
        ordering = ["-created_at"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError(_("调阅记录不可修改"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError(_("调阅记录不可删除"))

    def __str__(self):
        return f"{self.user} {self.get_what_display()} {self.customer}"


class AccessRequest(models.Model):
    """A request to open a customer outside one's scope, good for the day it is approved.

    The decision goes through crm's approval step (``approval_step``): the role the approval
    matrix names for ``owners.access_request`` decides, and the decider, time and comment are
    stamped on the ``crm.ApprovalRequest`` (``approvals``). ``status`` is the request's own
    state that the step moves, and ``valid_on`` the day the approval opens the customer."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="access_requests",
                                 verbose_name=_("客户"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("申请人"))
    reason = models.CharField(_("申请原因"), max_length=300)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    valid_on = models.DateField(_("有效日期"), null=True, blank=True)
    approvals = GenericRelation("crm.ApprovalRequest")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("调阅申请")
        verbose_name_plural = _("调阅申请")
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.requested_by} → {self.customer}（{self.get_status_display()}）"


ACCESS_SUBJECT = "owners.access_request"
# approve/reject name no role and need no permission: their guard asks the approval matrix whose
# the pending request is, the check crm.approvals.approval_decide makes when it fires them.
ACCESS_WORKFLOW = Workflow("status", permission="owners.change_accessrequest", transitions=[
    Transition("approve", (AccessRequest.Status.PENDING,), AccessRequest.Status.APPROVED, _("批准"), (), "success",
               permission="", guard=approval_guard),
    Transition("reject", (AccessRequest.Status.PENDING,), AccessRequest.Status.REJECTED, _("驳回"), (),
               "outline-danger", permission="", guard=approval_guard),
])


def _grant(event: str) -> dict:
    """An approval opens the customer for the day it is given."""
    return {"valid_on": timezone.localdate()} if event == APPROVE else {}


# Created pending (nothing to fire on submission); a rejection needs no comment, as before.
AccessRequest.approval_step = ApprovalStep(ACCESS_SUBJECT, ACCESS_WORKFLOW, on_approve="approve", on_reject="reject",
                                           values=_grant, reject_needs_comment=False)


class ContactLog(models.Model):
    """来电来访记录."""

    class Kind(models.TextChoices):
        CALL = "call", _("来电")
        VISIT = "visit", _("来访")

    number = models.CharField(_("编号"), max_length=20, unique=True, editable=False)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.CALL)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="contacts", verbose_name=_("客户"))
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("项目"))
    occurred_at = models.DateTimeField(_("时间"), db_index=True)
    caller_phone = models.CharField(_("来电号码"), max_length=20, blank=True)
    need = models.TextField(_("客户需求"))
    answer = models.TextField(_("答复内容"), blank=True)
    follow_up = models.CharField(_("后续跟进"), max_length=200, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("接待人"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("来电来访记录")
        verbose_name_plural = _("来电来访记录")
        ordering = ["-occurred_at"]

    def __str__(self):
        return f"{self.number} {self.customer.name}"


class CustomerVisit(models.Model):
    """访问客户记录表: the department visiting owners; counts toward the monthly quotas."""

    class Method(models.TextChoices):
        PHONE = "phone", _("电话回访")
        HOME = "home", _("上门拜访")
        MEETING = "meeting", _("约见面谈")
        OTHER = "other", _("其他")

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="visits", verbose_name=_("客户"))
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("项目"))
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("访问人"))
    department = models.ForeignKey("crm.Department", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("部门"))
    visited_on = models.DateField(_("访问日期"), db_index=True)
    method = models.CharField(_("访问方式"), max_length=10, choices=Method.choices, default=Method.PHONE)
    opinions = models.TextField(_("客户意见"), blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("满意度(1-5)"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("访问客户记录")
        verbose_name_plural = _("访问客户记录")
        ordering = ["-visited_on", "-id"]

    def __str__(self):
        return f"{self.visited_on} {self.customer.name}"


class UnitDocument(models.Model):
    """入伙/装修资料 checklist line of a unit."""

    class Kind(models.TextChoices):
        MOVEIN_NOTICE = "movein_notice", _("入伙通知书")
        HANDOVER_PERMIT = "handover_permit", _("准予交房书")
        SALES_CONTRACT = "sales_contract", _("商品房买卖合同")
        PROPERTY_AGREEMENT = "property_agreement", _("前期物业服务协议")
        TEMP_RULES = "temp_rules", _("临时管理规约")
        HANDOVER_CONFIRM = "handover_confirm", _("房屋交接确认单")
        METER_CONFIRM = "meter_confirm", _("表底数确认单")
        INSPECTION_FEEDBACK = "inspection_feedback", _("楼宇验收反馈单")
        RENOVATION_APPLICATION = "renovation_application", _("装修申请表")
        RENOVATION_PERMIT = "renovation_permit", _("装修许可证")

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="documents", verbose_name=_("房号"))
    kind = models.CharField(_("资料"), max_length=30, choices=Kind.choices)
    received_on = models.DateField(_("收到日期"), null=True, blank=True)
    scan = models.FileField(_("扫描件"), upload_to="owners/documents/%Y/%m/", blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("登记人"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("入伙装修资料")
        verbose_name_plural = _("入伙装修资料")
        ordering = ["unit", "kind"]
        constraints = [models.UniqueConstraint(fields=["unit", "kind"], name="unit_document_unique")]

    def __str__(self):
        return f"{self.unit} {self.get_kind_display()}"


RENOVATION_DOCUMENTS = {UnitDocument.Kind.RENOVATION_APPLICATION, UnitDocument.Kind.RENOVATION_PERMIT}


class SatisfactionSurvey(models.Model):
    """满意度调查: one response with a score (1-5) per topic."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("客户"))
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("项目"))
    surveyed_on = models.DateField(_("调查日期"), db_index=True)
    surveyed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("调查人"))
    comment = models.TextField(_("意见建议"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("满意度调查")
        verbose_name_plural = _("满意度调查")
        ordering = ["-surveyed_on"]

    def __str__(self):
        return f"{self.surveyed_on} {self.customer.name}"


class SurveyScore(models.Model):
    class Topic(models.TextChoices):
        QUALITY = "quality", _("房屋质量")
        PROPERTY = "property", _("物业服务")
        SERVICE = "service", _("客户服务")
        ENVIRONMENT = "environment", _("社区环境")
        OVERALL = "overall", _("总体满意度")

    survey = models.ForeignKey(SatisfactionSurvey, on_delete=models.CASCADE, related_name="scores",
                               verbose_name=_("调查"))
    topic = models.CharField(_("调查项目"), max_length=20, choices=Topic.choices)
    score = models.PositiveSmallIntegerField(_("得分(1-5)"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("满意度得分")
        verbose_name_plural = _("满意度得分")
        constraints = [models.UniqueConstraint(fields=["survey", "topic"], name="survey_topic_unique")]


class Greeting(models.Model):
    """A care greeting done (生日/节日问候), one per customer, occasion and year."""

    class Occasion(models.TextChoices):
        BIRTHDAY = "birthday", _("生日")
        SPRING = "spring", _("春节")
        MID_AUTUMN = "mid_autumn", _("中秋")
        NATIONAL = "national", _("国庆")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="greetings", verbose_name=_("客户"))
    occasion = models.CharField(_("场合"), max_length=12, choices=Occasion.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    greeted_at = models.DateTimeField(_("问候时间"), auto_now_add=True)
    greeted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("问候人"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("关怀问候记录")
        verbose_name_plural = _("关怀问候记录")
        constraints = [models.UniqueConstraint(fields=["customer", "occasion", "year"], name="greeting_unique")]
