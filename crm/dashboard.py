"""Home dashboard cards: each app registers providers that say what waits for a user."""
from dataclasses import dataclass

from django.urls import reverse

from crm.models import ApprovalRequest, ExportJob
from crm.scopes import user_role


@dataclass(frozen=True)
class Card:
    title: str
    count: int
    url: str = ""
    level: str = "primary"  # primary, warning (due soon), danger (overdue)
    note: str = ""


PROVIDERS = []


def card_provider(fn):
    """Register ``fn(user) -> list[Card]``."""
    PROVIDERS.append(fn)
    return fn


def cards_for(user) -> list[Card]:
    cards = []
    for provider in PROVIDERS:
        cards.extend(provider(user) or [])
    return cards


@card_provider
def core_cards(user):
    role = user_role(user)
    cards = []
    waiting = ApprovalRequest.objects.filter(status=ApprovalRequest.Status.PENDING, approver_role=role).exclude(
        submitted_by=user
    )
    count = waiting.count()
    if count or role in ("manager", "cs_supervisor"):
        cards.append(Card("待我审批", count, reverse("crm:approval_queue"), "warning" if count else "primary"))
    running = ExportJob.objects.filter(user=user, status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING]).count()
    if running:
        cards.append(Card("正在导出", running, reverse("crm:export_list")))
    return cards
