"""Who is this owner? The one identity behind every "distinct owners" count.

A case, a forum opinion or any other record names its owner in one of two ways: picked from
the customer file (a customer id), or typed by hand (a name and a phone). The same person
may appear both ways: found by the phone lookup once, typed by name and phone the next time.
Counting ``Coalesce(customer code, phone digits)`` then counts them twice (the five-owner
rule made an event major with four people). Every count of distinct owners goes through
``owner_keys`` / ``count_owners`` instead:

1. a record with a customer is that customer;
2. a typed phone that is a customer's 手机 or 其他电话 is that customer (one indexed query
   for the whole batch); when several customers share the phone (a family's home line), the
   one already named by another record of the batch, else the oldest customer record;
3. a typed phone that a record of the batch already tied to a customer is that customer;
4. any other phone is one owner per number; no phone: one owner per name; neither: itself.

Phones are compared by ``phone_key`` (digits only, without the +86 / 0086 country code).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from owners.matching import normal_name

COUNTRY_PREFIXES = ("0086", "86")
_CHUNK = 400  # keys per query: three stored forms each stay far below SQLite's parameter limit


def phone_key(value) -> str:
    """The digits that identify a phone: ``+86 138-0013-8000`` and ``13800138000`` are one number."""
    digits = "".join(ch for ch in str(value or "") if ch.isdigit())
    for prefix in COUNTRY_PREFIXES:
        if not digits.startswith(prefix):
            continue
        rest = digits[len(prefix):]
        if len(rest) == 11 and rest[0] == "1":
            return rest  # a mobile
        if 10 <= len(rest) <= 12 and rest[0] == "0":
            return rest  # a landline written with its trunk 0 kept: +86 (0)571 8888 0001
        if 9 <= len(rest) <= 11 and (rest[0] in "23456789" or rest.startswith("10")):
            return "0" + rest  # a landline dialled from abroad drops its area code's trunk 0 (Beijing's is 10)
    return digits


def stored_forms(key: str) -> set[str]:
    """How ``owners.validators.normalize_phone`` may have stored the number of ``key`` on a
    customer: a mobile as its digits, a landline with or without the dash after its area code."""
    if not key:
        return set()
    forms = {key}
    if key.startswith("0") and len(key) >= 10:
        forms |= {f"{key[:3]}-{key[3:]}", f"{key[:4]}-{key[4:]}"}
    return forms


def complaint_phone_forms(key: str) -> set[str]:
    """The ``phone_digits`` a case may hold for ``key`` (typed with or without the country code)."""
    if not key:
        return set()
    local = key[1:] if key.startswith("0") else key
    return {key, *(prefix + local for prefix in COUNTRY_PREFIXES)}


def customers_by_phone(keys: Iterable[str]) -> dict[str, list[int]]:
    """{phone key: ids of the customers whose 手机 or 其他电话 it is, oldest first}."""
    from django.db.models import Q

    from owners.models import Customer

    keys = sorted({k for k in keys if k})
    found: dict[str, list[int]] = {}
    for start in range(0, len(keys), _CHUNK):
        forms = set().union(*(stored_forms(k) for k in keys[start:start + _CHUNK]))
        rows = Customer.objects.filter(Q(phone__in=forms) | Q(phone_alt__in=forms)).order_by("pk") \
            .values_list("pk", "phone", "phone_alt")
        for pk, phone, alt in rows:
            for key in {phone_key(phone), phone_key(alt)} - {""}:
                if pk not in found.setdefault(key, []):
                    found[key].append(pk)
    return found


def customer_phone_keys(customer) -> set[str]:
    """The phone keys of one customer (手机 and 其他电话)."""
    return {phone_key(customer.phone), phone_key(customer.phone_alt)} - {""}


@dataclass(frozen=True)
class Contact:
    """How one record names its owner."""

    customer_id: int | None = None
    phone: str = ""
    name: str = ""


def owner_keys(contacts: Iterable[Contact]) -> list[str]:
    """One identity per contact, in order (see the module's rules): equal keys are the same owner."""
    contacts = list(contacts)
    typed = {phone_key(c.phone) for c in contacts if c.customer_id is None} - {""}
    on_file = customers_by_phone(typed) if typed else {}
    named = {c.customer_id for c in contacts if c.customer_id is not None}
    seen_with: dict[str, int] = {}  # a phone that a record of the batch gave together with its customer
    for c in contacts:
        key = phone_key(c.phone)
        if c.customer_id is not None and key:
            seen_with.setdefault(key, c.customer_id)
    keys = []
    for index, c in enumerate(contacts):
        if c.customer_id is not None:
            keys.append(f"customer:{c.customer_id}")
            continue
        key = phone_key(c.phone)
        candidates = on_file.get(key, [])
        if candidates:
            chosen = next((pk for pk in candidates if pk in named), candidates[0])
            keys.append(f"customer:{chosen}")
        elif key in seen_with:
            keys.append(f"customer:{seen_with[key]}")
        elif key:
            keys.append(f"phone:{key}")
        elif normal_name(c.name):
            keys.append(f"name:{normal_name(c.name)}")
        else:
            keys.append(f"record:{index}")
    return keys


def count_owners(contacts: Iterable[Contact]) -> int:
    """How many distinct owners the contacts are."""
    return len(set(owner_keys(contacts)))
