from .approvals import ApprovalRequest, ApprovalRule
from .calendar import CalendarOverride, CalendarYear, WorkingHours
from .exports import ExportJob
from .notifications import Notification, OwnerChannelChoice, WebhookEndpoint
from .rules import Rule, Sequence
from .search import SearchDocument
from .staff import Department, RoleGrant, StaffProfile

__all__ = [
    "ApprovalRequest", "ApprovalRule", "CalendarOverride", "CalendarYear", "WorkingHours",
    "ExportJob", "Notification", "OwnerChannelChoice", "WebhookEndpoint", "Rule", "Sequence", "SearchDocument", "Department", "RoleGrant", "StaffProfile",
]
