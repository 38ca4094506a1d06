"""The navigation bar, per role. Items whose URL does not exist yet are left out."""
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from crm.roles import Role
from crm.scopes import user_role

ALL = tuple(Role.values)
DEPT = (Role.FRONT_DESK, Role.CS_STAFF, Role.CS_SUPERVISOR, Role.MANAGER, Role.ADMIN)


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple = ALL
    icon: str = ""


NAV = [
    NavItem(_("工作台"), "home", ALL, "speedometer2"),
    NavItem(_("客户"), "owners:customer_list", DEPT + (Role.PROJECT_DEPT, Role.FINANCE, Role.PROPERTY_COMPANY), "people"),
    NavItem(_("投诉登记"), "complaints:register", DEPT + (Role.PROJECT_DEPT,), "exclamation-diamond"),
    NavItem(_("转交的投诉"), "complaints:forwarded", (Role.PROPERTY_COMPANY,), "send"),
    NavItem(_("物业协调"), "property_liaison:home", DEPT + (Role.PROPERTY_COMPANY,), "buildings"),
    NavItem(_("产权证"), "mortgage:certificate_list", (Role.CS_STAFF, Role.CS_SUPERVISOR, Role.MANAGER, Role.FINANCE, Role.ADMIN), "file-earmark-text"),
    NavItem(_("按揭逾期"), "mortgage:overdue_list", (Role.CS_STAFF, Role.CS_SUPERVISOR, Role.MANAGER, Role.FINANCE, Role.ADMIN), "cash-coin"),
    NavItem(_("诉讼案件"), "mortgage:litigation_list", (Role.LEGAL, Role.CS_SUPERVISOR, Role.MANAGER, Role.ADMIN), "bank"),
    NavItem(_("座谈会与客户会"), "clubs:home", (Role.CS_STAFF, Role.CS_SUPERVISOR, Role.MANAGER, Role.ADMIN), "cup-hot"),
    NavItem(_("系统管理"), "admin:index", (Role.ADMIN,), "gear"),
]


@dataclass(frozen=True)
class NavLink:
    """One link of a user's navigation bar, its label in the current language (hashable: the bar
    is written once per role, section and language, templates/base.html's ``{% memo %}``)."""
    label: str
    url: str
    icon: str
    active: bool


def _role_links(role) -> tuple[tuple[str, str, str], ...]:
    """(label, url, icon) of the role's pages, worked out once per process and language."""
    links = []
    for item in NAV:
        if role not in item.roles:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue  # the app that owns this page has not been built yet
        links.append((str(item.label), url, item.icon))
    return tuple(links)


def nav_for(user, current_path: str = "") -> tuple[NavLink, ...]:
    from crm import memo

    role = user_role(user)
    return tuple(NavLink(label, url, icon, current_path == url if url == "/" else current_path.startswith(url))
                 for label, url, icon in memo.remember(("nav", role), lambda: _role_links(role)))
