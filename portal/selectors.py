"""Every read of the portal, always within the signed-in owner's own records: their account,
their units (through the customers the account is bound to) and their cases."""
from __future__ import annotations

from django.http import Http404

from owners.models import Unit

from .models import OwnerAccount


def account_of(user) -> OwnerAccount:
    account = OwnerAccount.objects.filter(user=user).first()
    if account is None:
        raise Http404
    return account


def my_customer_ids(user) -> list[int]:
    return list(OwnerAccount.customers.through.objects.filter(owneraccount__user=user)
                .values_list("customer_id", flat=True))


def my_units(user):
    """The units the owner's customers own, co-own or rent."""
    return (Unit.objects.filter(ownerships__customer__owner_accounts__user=user)
            .select_related("project", "building").distinct().order_by("project__name", "number"))
