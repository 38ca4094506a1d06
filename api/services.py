"""Every write of the API app: clients and their tokens, idempotent calls, the master data
upserts (api.upsert) and the close-out hand-over."""
from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from .models import SystemClient, token_hash

TOKEN_PREFIX = "crm_"


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


@transaction.atomic
def client_create(*, name: str, source: str, scopes: list[str] | None = None, projects=(), all_projects=False,
                  rate_limit: int = 120, active: bool = True) -> tuple[SystemClient, str]:
    """A new client with its own service user (no password, no role: it signs in only by its
    token) and a new token; returns the client and the token, which is not kept anywhere."""
    User = get_user_model()
    username, n = f"api-{source}", 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"api-{source}-{n}"
    user = User.objects.create(username=username, first_name=name[:150], is_active=True)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    token = _new_token()
    client = SystemClient.objects.create(name=name, source=source, user=user, scopes=list(scopes or []),
                                         all_projects=all_projects, rate_limit=rate_limit, active=active,
                                         token_hash=token_hash(token), token_prefix=token[:12])
    if projects:
        client.projects.set(projects)
    return client, token


@transaction.atomic
def client_rotate_token(*, client: SystemClient) -> str:
    """A new token for the client; the old one stops working at once."""
    token = _new_token()
    SystemClient.objects.filter(pk=client.pk).update(token_hash=token_hash(token), token_prefix=token[:12])
    client.token_hash, client.token_prefix = token_hash(token), token[:12]
    return token


class IdempotencyConflict(Exception):
    """The key was used before for a different request."""


def idempotent_call(*, client, key: str, body: bytes, run) -> tuple[int, dict, bool]:
    """Run ``run()`` (→ status, data) once per ``Idempotency-Key``: in one transaction with the
    kept answer, so a retry of a call that was written gets that answer, and one that was not
    (an error, a lost connection before the commit) runs again. Returns (status, data,
    replayed). The same key with another body is refused."""
    from .models import IdempotentRequest

    fingerprint = hashlib.sha256(body).hexdigest()
    with transaction.atomic():
        kept = IdempotentRequest.objects.select_for_update().filter(client=client, key=key).first()
        if kept is not None:
            if kept.fingerprint != fingerprint:
                raise IdempotencyConflict
            return kept.status_code, kept.response, True
        status, data = run()
        if status < 500:
            IdempotentRequest.objects.create(client=client, key=key, fingerprint=fingerprint, status_code=status,
                                             response=data)
        return status, data, False


def idempotency_purge_old(now=None) -> int:
    """Delete the kept answers of Idempotency-Keys older than the rule ``api.idempotency_keep_days``
    (elapsed whole days, as crm.retention counts them; 0 keeps them all), a window of ids at a time.
    A retry that comes after its key is gone runs again: a bulk upsert of the same records then
    answers "unchanged"."""
    from django.db.models import Max

    from crm.calendar import elapsed_cutoff_at
    from crm.retention import delete_by_id_windows
    from crm.rules import rule_int

    from .models import IdempotentRequest

    days = rule_int("api.idempotency_keep_days")
    if days <= 0:
        return 0
    old = IdempotentRequest.objects.filter(created_at__lt=elapsed_cutoff_at(now or timezone.now(), days=days))
    return delete_by_id_windows(old, upper_pk=old.aggregate(hi=Max("pk"))["hi"])


@transaction.atomic
def closeout_record(*, client, project, closeout_date) -> tuple:
    """The sending system records a project's 封盘交接 date: on the project's history (by the
    client's service user), and, once the date has come, the project's open cases move from the
    project department to 客户事务部 (complaints' hand-over; a later date moves them on its day,
    by the daily job). Returns (project, the cases moved)."""
    from complaints.services import closeout_hand_over
    from crm.languages import recorded
    from owners.services import project_closeout_record

    from django.utils.translation import gettext_lazy as _

    project = project_closeout_record(project=project, closeout_date=closeout_date, user=client.user,
                                      reason=recorded(_("接口记录封盘交接日期：{name}"), name=client.name)[:100])
    return project, closeout_hand_over(project=project, user=client.user)
