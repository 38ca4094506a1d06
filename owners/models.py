from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Project(models.Model):
    """A development (楼盘/小区). Before ``closeout_date`` its owners belong to the project department."""

    code = models.SlugField(_("项目编码"), max_length=30, unique=True)
    name = models.CharField(_("项目名称"), max_length=100, unique=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    closeout_date = models.DateField(_("封盘交接日期"), null=True, blank=True)
    first_movein_date = models.DateField(_("首次入伙日期"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Building(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("项目"))
    name = models.CharField(_("楼栋"), max_length=50)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["project", "name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="building_unique_in_project")]

    def __str__(self):
        return f"{self.project.name} {self.name}"


class Unit(models.Model):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="units", verbose_name=_("项目"))
    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="units", verbose_name=_("楼栋"))
    number = models.CharField(_("房号"), max_length=20)
    floor = models.SmallIntegerField(_("楼层"), null=True, blank=True)
    area = models.DecimalField(_("建筑面积(㎡)"), max_digits=8, decimal_places=2)
    layout = models.CharField(_("户型"), max_length=40, blank=True)
    delivery_date = models.DateField(_("交付日期"), null=True, blank=True, db_index=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("房号")
        verbose_name_plural = _("房号")
        ordering = ["building", "number"]
        constraints = [models.UniqueConstraint(fields=["building", "number"], name="unit_unique_in_building")]

    def __str__(self):
        return f"{self.building.name}-{self.number}"


class Customer(models.Model):
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
        permissions = [("view_identity", _("可查看完整手机号和身份证号"))]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class Ownership(models.Model):
    class Kind(models.TextChoices):
        OWNER = "owner", _("业主")
        CO_OWNER = "co_owner", _("共有人")
        TENANT = "tenant", _("租户")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="ownerships", verbose_name=_("客户"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="ownerships", verbose_name=_("房号"))
    kind = models.CharField(_("关系"), max_length=10, choices=Kind.choices, default=Kind.OWNER)
    contract_date = models.DateField(_("签约日期"), null=True, blank=True)
    movein_date = models.DateField(_("入住日期"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("房产关系")
        verbose_name_plural = _("房产关系")
        constraints = [models.UniqueConstraint(fields=["customer", "unit", "kind"], name="ownership_unique")]

    def __str__(self):
        return f"{self.customer.name} {self.get_kind_display()} {self.unit}"
