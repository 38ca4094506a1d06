"""Home cards: what waits for the user in the complaints register."""
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.dashboard import Card, card_provider
from crm.roles import Role
from crm.scopes import user_role

from .selectors import chased_by_owners, queue_counts


@card_provider
def cards(user):
    role = user_role(user)
    if role not in (Role.FRONT_DESK, Role.CS_STAFF, Role.CS_SUPERVISOR, Role.MANAGER, Role.ADMIN, Role.PROJECT_DEPT):
        return []
    counts = queue_counts(user)
    url = reverse("complaints:register")
    items = [(_("待界定的投诉"), "classify", "primary"), (_("即将超时"), "due", "warning"), (_("已超时"), "breached", "danger"),
             (_("待回访"), "visits", "warning")]
    cards = [Card(title, counts[code], f"{url}?queue={code}", level) for title, code, level in items
             if counts[code] or code in ("breached",)]
    return cards + chased_card(user)


def chased_card(user) -> list[Card]:
    """业主催办: the cases owners chased on the portal lately, in the user's scope, each a link."""
    count, rows = chased_by_owners(user)
    if not count:
        return []
    links = tuple((f"{r['number']} {r['title']}", reverse("complaints:detail", args=[r["pk"]])) for r in rows)
    return [Card(_("业主催办（近 3 天）"), count, level="warning", links=links)]
