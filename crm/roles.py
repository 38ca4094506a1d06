"""The nine roles of DOMAIN.md and the permissions each group holds.

The groups are created and updated by ``manage.py setup_roles`` (also run by
``make run`` and by a data migration), so an admin can see them in the admin, and a
deploy re-asserts the permissions named here without removing extra ones an admin added.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    FRONT_DESK = "front_desk", _("客户助理(前台)")
    CS_STAFF = "cs_staff", _("客户事务部专员")
    CS_SUPERVISOR = "cs_supervisor", _("客户事务部主管")
    MANAGER = "manager", _("公司主管经理")
    PROJECT_DEPT = "project_dept", _("项目部")
    FINANCE = "finance", _("财务部")
    LEGAL = "legal", _("综合管理部")
    PROPERTY_COMPANY = "property_company", _("物业公司联络人")
    ADMIN = "admin", _("系统管理员")


# Customer-affairs roles that serve every project after its close-out.
DEPARTMENT_ROLES = {Role.FRONT_DESK, Role.CS_STAFF, Role.CS_SUPERVISOR, Role.MANAGER}

# Permissions per role as "app_label.codename". Apps add theirs here, in one table, so
# that the permission matrix is readable in one place.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.FRONT_DESK: [
        "owners.view_project", "owners.view_customer", "owners.add_customer", "owners.change_customer",
        "owners.view_unit",
    ],
    Role.CS_STAFF: [
        "owners.view_project", "owners.view_customer", "owners.add_customer", "owners.change_customer",
        "owners.view_unit", "owners.view_identity",
    ],
    Role.CS_SUPERVISOR: [
        "owners.view_project", "owners.view_customer", "owners.add_customer", "owners.change_customer",
        "owners.view_unit", "owners.view_identity",
    ],
    Role.MANAGER: [
        "owners.view_project", "owners.view_customer", "owners.view_unit", "owners.view_identity",
    ],
    Role.PROJECT_DEPT: [
        "owners.view_project", "owners.view_customer", "owners.add_customer", "owners.change_customer",
        "owners.view_unit", "owners.view_identity",
    ],
    Role.FINANCE: ["owners.view_project", "owners.view_customer", "owners.view_unit", "owners.view_identity"],
    Role.LEGAL: [],
    Role.PROPERTY_COMPANY: ["owners.view_project", "owners.view_unit"],
    Role.ADMIN: ["*"],  # every permission of our own apps
}

OWN_APPS = ("crm", "owners", "complaints", "property_liaison", "mortgage", "clubs")
