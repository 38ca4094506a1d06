"""The ten roles of DOMAIN.md (nine in the office, and the owners of the portal) and the permissions each group holds.

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
    OWNER = "owner", _("业主")  # the owner portal (/m/) only: no staff permission, no staff page


# Owners sign in to the portal, never to the back office (crm.middleware.PortalSeparationMiddleware).
PORTAL_ROLES = {Role.OWNER}


# Customer-affairs roles that serve every project after its close-out.
DEPARTMENT_ROLES = {Role.FRONT_DESK, Role.CS_STAFF, Role.CS_SUPERVISOR, Role.MANAGER}

# Users outside the company: never told about internal work they cannot open.
OUTSIDE_ROLES = {Role.PROPERTY_COMPANY, Role.OWNER}

# Permissions per role as "app_label.codename". Apps add theirs here, in one table, so
# that the permission matrix is readable in one place.
_CS_STAFF = [
    "complaints.view_complaint", "complaints.add_complaint", "complaints.change_complaint",
    "owners.view_project", "owners.view_customer", "owners.add_customer", "owners.change_customer",
    "owners.view_unit", "owners.view_identity", "owners.view_contactlog", "owners.add_contactlog",
    "mortgage.view_agentcompany", "mortgage.add_agentcompany", "mortgage.change_agentcompany",
    "mortgage.view_agencyagreement", "mortgage.add_agencyagreement", "mortgage.change_agencyagreement",
    "mortgage.view_titlecertificatecase", "mortgage.add_titlecertificatecase",
    "mortgage.change_titlecertificatecase", "mortgage.add_certificatechase", "mortgage.view_mortgageloan",
    "mortgage.view_overduerecord", "mortgage.view_overdueupload", "mortgage.add_collectionreminder",
    "mortgage.view_litigationcase", "mortgage.hand_over_litigation",
]
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.FRONT_DESK: [
        "complaints.view_complaint", "complaints.add_complaint", "complaints.change_complaint",
        "owners.view_project", "owners.view_customer", "owners.add_customer", "owners.change_customer",
        "owners.view_unit", "owners.view_contactlog", "owners.add_contactlog",
        # It phones owners back (return visits within a day): phones in full, ID numbers masked.
        "owners.view_phone",
    ],
    Role.CS_STAFF: _CS_STAFF,
    Role.CS_SUPERVISOR: [*_CS_STAFF, "complaints.view_report"],  # the staff's, and the reports
    Role.MANAGER: [
        "complaints.view_complaint", "complaints.change_complaint", "complaints.view_report",
        "owners.view_project", "owners.view_customer", "owners.view_unit", "owners.view_identity",
        "owners.view_contactlog",
        "mortgage.view_agentcompany", "mortgage.view_agencyagreement", "mortgage.view_titlecertificatecase",
        "mortgage.view_mortgageloan", "mortgage.view_overduerecord", "mortgage.view_overdueupload",
        "mortgage.view_litigationcase",
    ],
    Role.PROJECT_DEPT: [
        "complaints.view_complaint", "complaints.add_complaint", "complaints.change_complaint",
        "owners.view_project", "owners.view_customer", "owners.add_customer", "owners.change_customer",
        "owners.view_unit", "owners.view_identity", "owners.view_contactlog", "owners.add_contactlog",
    ],
    Role.FINANCE: ["owners.view_project", "owners.view_customer", "owners.view_unit", "owners.view_identity",
                   "mortgage.view_titlecertificatecase", "mortgage.confirm_release", "mortgage.view_mortgageloan",
                   "mortgage.add_mortgageloan", "mortgage.view_overduerecord", "mortgage.view_overdueupload",
                   "mortgage.import_overdue"],
    Role.LEGAL: ["mortgage.view_litigationcase", "mortgage.change_litigationcase"],
    Role.PROPERTY_COMPANY: ["complaints.add_complaint", "owners.view_project", "owners.view_unit", "owners.view_customer"],
    Role.ADMIN: ["*"],  # every permission of our own apps
    Role.OWNER: [],  # what an owner may see is their own cases and units, checked by the portal's selectors
}

# property_liaison: the department runs coordination, supervision, the committee and repairs;
# the property company sees and answers its own projects' action items, rectifications, repairs.
_LIAISON_VIEW = [f"property_liaison.view_{m}" for m in (
    "propertycompany", "propertyappointment", "coordinationplan", "coordinationmeeting", "actionitem",
    "inspection", "rectification", "committeeformation", "warrantycategory", "repairrequest")]
_LIAISON_STAFF = _LIAISON_VIEW + [
    "property_liaison.add_coordinationmeeting", "property_liaison.add_actionitem",
    "property_liaison.change_actionitem", "property_liaison.change_coordinationplan",
    "property_liaison.add_inspection", "property_liaison.add_rectification", "property_liaison.change_rectification",
    "property_liaison.change_committeeformation", "property_liaison.add_repairrequest",
    "property_liaison.change_repairrequest",
]
for _role, _perms in (
    (Role.CS_STAFF, _LIAISON_STAFF), (Role.CS_SUPERVISOR, _LIAISON_STAFF), (Role.MANAGER, _LIAISON_VIEW),
    (Role.FRONT_DESK, ["property_liaison.view_warrantycategory", "property_liaison.view_repairrequest",
                       "property_liaison.add_repairrequest"]),
    (Role.PROPERTY_COMPANY, [
        "property_liaison.view_coordinationmeeting", "property_liaison.view_actionitem",
        "property_liaison.change_actionitem", "property_liaison.view_inspection",
        "property_liaison.view_rectification", "property_liaison.change_rectification",
        "property_liaison.view_warrantycategory", "property_liaison.view_repairrequest",
        "property_liaison.change_repairrequest"]),
):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] + [p for p in _perms if p not in ROLE_PERMISSIONS[_role]]

# clubs: the department runs forums, the club, its ledger and activities; the manager approves.
_CLUBS_MODELS = ("ownerforum", "forumparticipant", "forumchecklistitem", "forumopinion", "club", "clubmember",
                 "pointsentry", "clubactivity", "activityphoto", "improvementaction")
_CLUBS_VIEW = [f"clubs.view_{m}" for m in _CLUBS_MODELS]
_CLUBS_STAFF = _CLUBS_VIEW + [f"clubs.{a}_{m}" for m in _CLUBS_MODELS for a in ("add", "change")]
for _role, _perms in ((Role.CS_STAFF, _CLUBS_STAFF), (Role.CS_SUPERVISOR, _CLUBS_STAFF), (Role.MANAGER, _CLUBS_VIEW)):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] + [p for p in _perms if p not in ROLE_PERMISSIONS[_role]]

OWN_APPS = ("crm", "owners", "complaints", "property_liaison", "mortgage", "clubs", "api", "portal")
