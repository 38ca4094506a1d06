"""Home dashboard cards: each app registers providers that say what waits for a user."""
from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.approvals import decidable_by
from crm.models import ExportJob
from crm.scopes import user_role


@dataclass(frozen=True)
class Card:
    title: str
    count: int
    url: str = ""
    level: str = "primary"  # primary, warning (due soon), danger (overdue)
    note: str = ""
    links: tuple = ()  # (text, url) pairs listed on the card: the records themselves


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
    cases); the home page is opened far more often than the data changes. Each user's cards
    have a generation of their own, which any model the user saves or deletes in a request
    moves on (every service writes at least a history or timeline row), so one's own action
    shows at once; other users' actions and the beat jobs' set-based changes show within the
    minute. (A single generation for everybody would let any user's save throw away every
    other user's cards: with fifty people at work, no card would stay cached.)
    """
    from django.core.cache import cache
    from django.utils import translation

    # The language is part of the key: a card's note is text already put in the page's language.
    key = (f"crm:dashboard:{cache.get_or_set(_version_key(user.pk), 1, None)}:{user.pk}:{user_role(user)}"
           f":{translation.get_language()}")
    cards = cache.get(key)
    if cards is None:
        cards = []
        for provider in PROVIDERS:
            cards.extend(provider(user) or [])
        cache.set(key, cards, CACHE_SECONDS)
    return cards


def forget_cards(user) -> None:
    """Start a new generation of ``user``'s cards: the next home page recomputes them."""
    from django.core.cache import cache

    try:
        cache.incr(_version_key(user.pk))
    except ValueError:
        cache.set(_version_key(user.pk), 1, None)


def _version_key(user_id) -> str:
    return f"{VERSION_KEY}:{user_id}"


def _acting_user():
    """The user of the request being served (simple-history's middleware keeps the request),
    or None in a beat job, a command or a shell."""
    from simple_history.models import HistoricalRecords

    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _new_generation(sender, **kwargs):
    if sender._meta.app_label in ("sessions", "axes", "admin"):
        return  # a login or a session write changes no card
    user = _acting_user()
    if user is not None:
        forget_cards(user)


post_save.connect(_new_generation, dispatch_uid="crm.dashboard.generation.save")
post_delete.connect(_new_generation, dispatch_uid="crm.dashboard.generation.delete")


@card_provider
def core_cards(user):
    role = user_role(user)
    cards = []
    count = decidable_by(user).count()  # what the queue lists: only records they may open
    if count or role in ("manager", "cs_supervisor"):
        cards.append(Card(_("待我审批"), count, reverse("crm:approval_queue"), "warning" if count else "primary"))
    running = ExportJob.objects.filter(user=user, status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING]).count()
    if running:
        cards.append(Card(_("正在导出"), running, reverse("crm:export_list")))
    return cards
