"""Who may see the department's internal owner work, and who may do what with owners (one place
for each rule: the services raise with them, the pages show a button only when they pass)."""
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from crm.roles import Role
from crm.scopes import has_role


def can_see_care_list(user) -> bool:
    """DOMAIN.md: the property company sees its own action items and findings, nothing else.

    The care lists (birthdays are 客情) and the department's visit quotas are internal work
    of the customer-affairs department, so they are never shown to the property company:
    not as a page, a link, a dashboard card nor an Excel export."""
    return not has_role(user, Role.PROPERTY_COMPANY)


def require_care_list(user) -> None:
    """Raise PermissionDenied (in Chinese) unless ``can_see_care_list(user)``."""
    if not can_see_care_list(user):
        raise PermissionDenied(_("物业公司不能查看客户事务部的内部工作。"))


# Roles that log calls and visits (来电来访, 访问客户): the front desk and the departments that
# serve owners, not the manager (who reads them), finance, legal or the property company.
CONTACT_ROLES = (Role.FRONT_DESK, Role.CS_STAFF, Role.CS_SUPERVISOR, Role.ADMIN, Role.PROJECT_DEPT)


def check_log_contact(user) -> None:
    if not has_role(user, *CONTACT_ROLES):
        raise PermissionDenied(_("您的角色不能登记来电来访。"))


def check_import(user) -> None:
    """The owners' Excel import: customer-affairs staff and administrators with the right to add
    customers (the front desk and the project department enter owners one by one)."""
    if not (user.has_perm("owners.add_customer") and has_role(user, Role.ADMIN, Role.CS_SUPERVISOR, Role.CS_STAFF)):
        raise PermissionDenied(_("只有客户事务部与系统管理员可以导入。"))


def check_access_request(user) -> None:
    """Ask to open a customer outside one's scope (the outside and legal roles never do)."""
    if not has_role(user, *(r for r in Role.values if r not in (Role.PROPERTY_COMPANY, Role.LEGAL))):
        raise PermissionDenied(_("您的角色不能申请调阅范围外客户。"))
