"""Each user's permissions (their own and their groups'), kept in the cache between requests.

Django's ModelBackend reads them from the database once per request (two queries);
``crm.backends.CrmBackend`` asks here instead. They change only when an admin edits a user's groups or a
group's permissions, so they are cached per user under a *generation*: any such change starts a
new generation (``crm.signals``), which every web process sees at once through the shared cache
(Redis; several web processes need it, as the README says). One cache round trip per request.
"""
from __future__ import annotations

import uuid

from django.core.cache import cache

GENERATION_KEY = "crm:perms:generation"
SECONDS = 600  # an idle user's entry expires; a change never waits for it (new generation)


def _key(user_id) -> str:
    return f"crm:perms:user:{user_id}"


def user_permissions(user) -> set[str]:
    """``{"app_label.codename", …}`` for an active, non-superuser user, as ModelBackend computes
    ``get_all_permissions`` (own permissions and those of the user's groups)."""
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    found = cache.get_many([GENERATION_KEY, _key(user.pk)])
    generation = found.get(GENERATION_KEY)
    entry = found.get(_key(user.pk))
    if generation is not None and entry is not None and entry[0] == generation:
        return set(entry[1])
    if generation is None:
        generation = new_generation()
    rows = (Permission.objects.filter(Q(user=user) | Q(group__user=user))
            .values_list("content_type__app_label", "codename").order_by().distinct())
    perms = {f"{app}.{codename}" for app, codename in rows}
    cache.set(_key(user.pk), (generation, sorted(perms)), SECONDS)
    return perms


def new_generation() -> str:
    """Forget every cached permission set (called when groups or permissions change)."""
    generation = uuid.uuid4().hex
    cache.set(GENERATION_KEY, generation, None)
    return generation
