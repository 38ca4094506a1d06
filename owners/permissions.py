"""Who may see the department's internal owner work (one place for the rule)."""
from django.core.exceptions import PermissionDenied

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
        raise PermissionDenied("物业公司不能查看客户事务部的内部工作。")
