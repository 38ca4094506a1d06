"""Home dashboard cards: each app registers providers that say what waits for a user."""
from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save
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


CACHE_SECONDS = 60
VERSION_KEY = "crm:dashboard:version"


def cards_for(user) -> list[Card]:
    """Every provider's cards for ``user``, cached for a minute.

    Some providers scan large tables (birthdays among 50,000 customers, counts over 100,000
    cases); the home page is opened far more often than the data changes. Any model saved or
    deleted (every service writes at least a history or timeline row) starts a new cache
    generation, so a user's own action shows at once; set-based changes of the beat jobs show
    within the minute.
    """
    from django.core.cache import cache

    key = f"crm:dashboard:{cache.get_or_set(VERSION_KEY, 1, None)}:{user.pk}:{user_role(user)}"
    cards = cache.get(key)
    if cards is None:
        cards = []
        for provider in PROVIDERS:
            cards.extend(provider(user) or [])
        cache.set(key, cards, CACHE_SECONDS)
    return cards


def _new_generation(sender, **kwargs):
    from django.core.cache import cache

    if sender._meta.app_label in ("sessions", "axes", "admin"):
        return  # a login or a session write changes no card
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, None)


post_save.connect(_new_generation, dispatch_uid="crm.dashboard.generation.save")
post_delete.connect(_new_generation, dispatch_uid="crm.dashboard.generation.delete")


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
