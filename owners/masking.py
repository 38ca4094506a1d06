"""Masking of phones and ID numbers, shared by templates, views, exports and searches: the one
place that decides who sees a phone or an ID number in full.

Two permissions decide, so an admin can move them between groups without a deploy (and a later
deploy's setup_roles does not give back what an admin took: crm.models.RoleGrant):
``owners.view_identity`` shows phones and ID numbers in full, ``owners.view_phone`` phones only
(the front desk, which phones owners back). The property company sees neither, whatever it holds."""
from __future__ import annotations

from crm.roles import Role
from crm.scopes import user_role

IDENTITY_PERMISSION = "owners.view_identity"
PHONE_PERMISSION = "owners.view_phone"


def mask_phone(value: str | None) -> str:
    """'13800138001' -> '138****8001': the first three and the last four only when the **** hides
    at least four digits (11 characters or more, as a mobile or a landline with its area code);
    a shorter number (a local one typed without its area code) keeps only its last two digits."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) >= 11:
        return value[:3] + "****" + value[-4:]
    return "*" * (len(value) - 2) + value[-2:] if len(value) > 2 else "**"


def mask_id(value: str | None) -> str:
    """'110101198001011237' -> '110***********1237'."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def can_see_contact(user) -> bool:
    """property_company never sees phones or ID numbers at all (not even masked)."""
    return user_role(user) != Role.PROPERTY_COMPANY


def can_see_identity(user) -> bool:
    """Phones and ID numbers in full."""
    return can_see_contact(user) and user.has_perm(IDENTITY_PERMISSION)


def can_see_phone(user) -> bool:
    """Phones in full (and found by their digits in a search); ID numbers as ``can_see_identity``."""
    return can_see_contact(user) and (user.has_perm(PHONE_PERMISSION) or user.has_perm(IDENTITY_PERMISSION))


def phone_for(user, value: str | None) -> str:
    if not can_see_contact(user):
        return ""
    return (value or "") if can_see_phone(user) else mask_phone(value)


def id_for(user, value: str | None) -> str:
    if not can_see_contact(user):
        return ""
    return (value or "") if can_see_identity(user) else mask_id(value)


# Contact fields of a customer that only roles who may see contacts see, and how each is shown.
_MASKERS = {"phone": phone_for, "phone_alt": phone_for, "id_number": id_for}
_CONTACT_ONLY = {"email", "address"}


def mask_history_rows(user, rows: list[dict]) -> list[dict]:
    """A customer's history tab as ``user`` may see it.

    crm.history shows stored values; phones and ID numbers are masked here like on the
    basics tab, and the property company sees no change of a contact field at all."""
    from owners.models import Customer

    label = {str(Customer._meta.get_field(name).verbose_name): name for name in [*_MASKERS, *_CONTACT_ONLY]}
    contact = can_see_contact(user)
    for row in rows:
        kept = []
        for change in row["changes"]:
            name = label.get(str(change["field"]))
            if name is None:
                kept.append(change)
            elif contact and name in _MASKERS:
                shown = _MASKERS[name]
                kept.append({**change, "old": shown(user, change["old"]), "new": shown(user, change["new"])})
            elif contact:
                kept.append(change)
        row["changes"] = kept
    return rows
