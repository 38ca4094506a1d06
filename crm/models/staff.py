from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm.roles import Role


class Department(models.Model):
    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("部门名称"), max_length=80, unique=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["name"]

    def __str__(self):
        return self.name


class StaffProfile(models.Model):
    """Who a user is in the department: role, department and the projects in scope."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("部门"))
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    # Empty means every project the role may see; otherwise only these (project_dept's own projects).
    projects = models.ManyToManyField("owners.Project", blank=True, verbose_name=_("负责项目"))
    property_company = models.ForeignKey(
        "property_liaison.PropertyCompany", on_delete=models.PROTECT, null=True, blank=True,
        verbose_name=_("所属物业公司"), help_text=_("仅物业公司联络人需要填写"),
    )
    # The language chosen with the switch, kept for the next login on any computer and for what is
    # sent to the user (notifications, exports); empty until the user chooses (crm/languages.py).
    language = models.CharField(_("界面语言"), max_length=10, choices=settings.LANGUAGES, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("员工档案")
        verbose_name_plural = _("员工档案")

    def __str__(self):
        return f"{self.user.get_full_name() or self.user.username} ({self.get_role_display()})"


class RoleGrant(models.Model):
    """A permission that ``setup_roles`` has granted a role's group once (crm.roles): it is never
    granted again, so a permission an administrator took from a group stays taken through every
    later deploy, while one added to crm.roles since is granted on the next."""

    group = models.ForeignKey("auth.Group", on_delete=models.CASCADE, related_name="+")
    permission = models.ForeignKey("auth.Permission", on_delete=models.CASCADE, related_name="+")
    granted_at = models.DateTimeField(_("授予时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("角色权限授予记录")
        verbose_name_plural = _("角色权限授予记录")
        constraints = [models.UniqueConstraint(fields=["group", "permission"], name="crm_rolegrant_once")]

    def __str__(self):
        return f"{self.group} · {self.permission}"
