"""Each user's permissions (their own and their groups'), kept in the cache between requests.

Django's ModelBackend reads them from the database once per request (two queries);
``crm.backends.CrmBackend`` asks here instead. They change only when an admin edits a user's groups or a
group's permissions, so they are cached per user under a *generation*: any such change starts a
new generation (``crm.signals``), which every web process sees at once through the shared cache
(Redis; several web processes need it, as the README says). One cache round trip per request.
"""
from __future__ import annotations

import functools
import uuid

from django.core.cache import cache
from django.db import connection

from crm import caching

GENERATION_KEY = "crm:perms:generation"
SECONDS = 600  # an idle user's entry expires; a change never waits for it (new generation)


def _key(user_id) -> str:
    return f"crm:perms:user:{user_id}"


def user_permissions(user) -> set[str]:
    """``{"app_label.codename", …}`` for an active, non-superuser user, as ModelBackend computes
    ``get_all_permissions`` (own permissions and those of the user's groups)."""
    if caching.changed_here(GENERATION_KEY):
        return _read(user)  # this transaction changed permissions: its own rows, never kept
    found = cache.get_many([GENERATION_KEY, _key(user.pk)])
    generation = found.get(GENERATION_KEY)
    entry = found.get(_key(user.pk))
    if generation is not None and entry is not None and entry[0] == generation:
        return set(entry[1])
    if generation is None:
        generation = uuid.uuid4().hex
        cache.set(GENERATION_KEY, generation, None)
    perms = _read(user)
    cache.set(_key(user.pk), (generation, sorted(perms)), SECONDS)
    return perms


def _read(user) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(_sql(), [user.pk, user.pk])
        return {f"{app}.{codename}" for app, codename in cursor.fetchall()}


@functools.cache
def _sql() -> str:
    """The user's own permissions and their groups' (what ModelBackend reads), written once:
    on a user's first page (an empty cache) building the same query through the ORM cost ten
    times more than running it."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission

    qn = connection.ops.quote_name
    user_perms = get_user_model().user_permissions.through._meta
    user_groups = get_user_model().groups.through._meta
    group_perms = Group.permissions.through._meta
    content_type = Permission._meta.get_field("content_type").related_model._meta
    return (
        f"SELECT DISTINCT ct.{qn('app_label')}, p.{qn('codename')} FROM {qn(Permission._meta.db_table)} p "
        f"JOIN {qn(content_type.db_table)} ct ON ct.{qn('id')} = p.{qn('content_type_id')} "
        f"WHERE p.{qn('id')} IN (SELECT {qn('permission_id')} FROM {qn(user_perms.db_table)} WHERE {qn('user_id')} = %s) "
        f"OR p.{qn('id')} IN (SELECT gp.{qn('permission_id')} FROM {qn(group_perms.db_table)} gp "
        f"JOIN {qn(user_groups.db_table)} ug ON ug.{qn('group_id')} = gp.{qn('group_id')} WHERE ug.{qn('user_id')} = %s)"
    )


def new_generation() -> None:
    """Forget every cached permission set (called when groups or permissions change), now and
    once the change commits (``crm.caching``)."""
    caching.forget(GENERATION_KEY, renew=True)
