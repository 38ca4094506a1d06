"""State machines declared once, fired only through a service.

A model declares its ``Workflow`` (states and transitions with the roles that may fire
them, the permission they need, and any guard on the record itself); its app's services call
``workflow.fire(...)``, which refuses a transition that the current state (read in the
database, compare-and-set), the user's role and permission, or the guard does not allow, and
writes exactly one history record for the change.

``check`` is THE predicate: the service fires through it, views ask ``available`` (or ``can``)
which buttons and forms to show and refuse to open a form it refuses, so a button is shown
exactly to the user the service would accept. ``allowed`` turns any other raising check of a
service (one that is not a transition) into the same kind of yes/no for a template.

Steps that run side by side are parallel tracks of one workflow: a transition may move its
own ``field`` instead of the workflow's (a complaint's return visit runs beside its corrective
action), and may ``require`` other fields to be in given states (closing needs both tracks
done); the requirement is part of the same compare-and-set.

A transition names its ``stamps``: the fields that record who fired it and when
(``{"by": "verified_by", "at": "verified_at"}``), set by ``fire`` in the same write, so a
service never stamps by hand. Its ``guard`` is the one rule on the record beyond its state
(the loan a mortgage step needs, the assignee, the approver the matrix names): it raises, or
returns the reason it refuses, and both the service and the page's buttons ask it.

A job that moves many records at once (the archive, the SLA scan) fires ``fire_many``: one
compare-and-set ``UPDATE`` over the rows still in a source state, one history row for each
row it really changed (``bulk_history_create``), and the rows it changed handed back, so that
only those are told (Sentry's ``auto_resolve_issues``). Any other set-based ``UPDATE`` of a
field that simple-history tracks goes through ``update_with_history``.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from crm import search
from crm.sql import ids_in
from crm.scopes import user_role


class TransitionNotAllowed(ValidationError):
    """The current state does not allow the transition (it may have changed meanwhile)."""


# guard(obj, user): raises PermissionDenied/ValidationError, or returns the reason (a string), to refuse
Guard = Callable[[object, object], "str | None"]
STAMP_KINDS = ("by", "at")  # who fired the transition; when (the write's instant)


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    label: str
    roles: tuple[str, ...] = ()  # empty: any role that may act on the record
    style: str = "primary"
    field: str = ""  # a parallel track's field; empty: the workflow's
    requires: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (other field, the states it must be in)
    requires_message: str = ""  # why it cannot be fired yet, when a requirement is not met
    # The Django permission the transition needs: None takes the workflow's, "" needs none.
    permission: str | None = None
    # A rule on the record beyond its state (the approver the matrix names, the assignee…).
    guard: Guard | None = None
    # Who/when the transition records as it fires: {"by": a user field, "at": a datetime field
    # (or a tuple of fields: a step that also closes the record stamps both)}.
    stamps: Mapping[str, str | tuple[str, ...]] = dataclasses.field(default_factory=dict, hash=False)

    def __post_init__(self):
        unknown = set(self.stamps) - set(STAMP_KINDS)
        if unknown:
            raise ValueError(f"{self.name}: unknown stamps {sorted(unknown)} (use {STAMP_KINDS})")

    def stamp_fields(self, kind: str) -> tuple[str, ...]:
        names = self.stamps.get(kind, ())
        return (names,) if isinstance(names, str) else tuple(names)

    def stamp_values(self, *, user, at: dt.datetime) -> dict:
        """The stamps' values for a firing by ``user`` at ``at``."""
        return {**{name: user for name in self.stamp_fields("by")}, **{name: at for name in self.stamp_fields("at")}}


@dataclass
class Workflow:
    field: str
    transitions: list[Transition]
    permission: str = ""  # the permission every transition needs unless it names its own
    _by_name: dict = field(init=False)

    def __post_init__(self):
        self._by_name = {t.name: t for t in self.transitions}
        if len(self._by_name) != len(self.transitions):
            raise ValueError("duplicate transition name")
        WORKFLOWS.append(self)

    @property
    def model(self):
        """The model the workflow moves: the one its permission (``app.change_model``) names."""
        from django.apps import apps

        if not self.permission.count(".") == 1:
            return None  # a workflow declared without a model's permission (tests build such)
        app_label, codename = self.permission.split(".")
        try:
            return apps.get_model(app_label, codename.removeprefix("change_"))
        except LookupError:
            return None

    def state_fields(self) -> set[str]:
        """Its own field, its parallel tracks' and the fields its requirements read."""
        fields = {self.field}
        for transition in self.transitions:
            fields.add(self.field_of(transition))
            fields.update(name for name, _ in transition.requires)
        return fields

    def get(self, name: str) -> Transition:
        return self._by_name[name]

    def permission_for(self, transition: Transition) -> str:
        return self.permission if transition.permission is None else transition.permission

    def allows_role(self, transition: Transition, user) -> bool:
        if user.is_superuser:
            return True
        permission = self.permission_for(transition)
        if permission and not user.has_perm(permission):
            return False
        return not transition.roles or user_role(user) in transition.roles

    def field_of(self, transition: Transition) -> str:
        return transition.field or self.field

    def _in_state(self, obj, transition: Transition) -> bool:
        return getattr(obj, self.field_of(transition)) in transition.sources

    @staticmethod
    def _requirements_met(obj, transition: Transition) -> bool:
        return all(getattr(obj, name) in states for name, states in transition.requires)

    def available(self, obj, user) -> list[Transition]:
        """The transitions ``user`` may fire on ``obj`` now: exactly those ``check`` accepts."""
        return [t for t in self.transitions if self.can(obj, t.name, user)]

    def can(self, obj, name: str, user) -> bool:
        return allowed(self.check, obj, name, user)

    def check(self, obj, name: str, user) -> Transition:
        """Role and permission, then the state, then the transition's guard; the first refusal
        raises with its reason (PermissionDenied for who, a ValidationError for what)."""
        transition = self._by_name.get(name)
        if transition is None:
            raise TransitionNotAllowed(gettext("未知的操作。"))
        if not self.allows_role(transition, user):
            raise PermissionDenied(gettext("您的角色不能执行“{action}”。").format(action=transition.label))
        field_name = self.field_of(transition)
        if not self._in_state(obj, transition):
            raise TransitionNotAllowed(gettext("当前状态“{state}”不能执行“{action}”，请刷新页面查看最新状态。").format(
                state=obj_state_label(obj, field_name), action=transition.label))
        if not self._requirements_met(obj, transition):
            raise TransitionNotAllowed(transition.requires_message or gettext(
                "尚不能执行“{action}”，请刷新页面查看最新状态。").format(action=transition.label))
        if transition.guard is not None:
            reason = transition.guard(obj, user)
            if reason:  # a rule on the record, not its state: a plain ValidationError
                raise ValidationError(reason)
        return transition

    @transaction.atomic
    def fire(self, obj, name: str, *, user, updates: dict | None = None, at: dt.datetime | None = None):
        """Move ``obj`` along transition ``name``; the row changes only if its state in the
        database is still one of the transition's sources (compare-and-set). The transition's
        stamps are written with it (``at``: the instant, now unless the service names one)."""
        transition = self.check(obj, name, user)
        field_name = self.field_of(transition)
        updates = {**transition.stamp_values(user=user, at=at or now()), **(updates or {})}
        model = type(obj)
        required = {f"{other}__in": states for other, states in transition.requires}
        changed = model._default_manager.filter(
            pk=obj.pk, **{f"{field_name}__in": transition.sources}, **required
        ).update(**{field_name: transition.target}, **updates)
        if changed != 1:
            raise TransitionNotAllowed(gettext("“{action}”未执行：记录已被他人处理，请刷新页面。").format(
                action=transition.label))
        obj.refresh_from_db()
        # The update above wrote no history; this save writes exactly one entry for the change.
        obj._history_user = user
        # Recorded in the office's language (the msgid), whoever acts; the history shows it
        # translated into the reader's language (includes/history.html).
        with translation.override(settings.LANGUAGE_CODE):
            obj._change_reason = str(transition.label)
        obj.save(update_fields=[field_name, *updates.keys()])
        return obj

    def fire_many(self, queryset, name: str, *, user=None, updates: dict | None = None, at: dt.datetime | None = None,
                  reason: str = "", ids=None, instances: bool = True) -> list:
        """Move every row of ``queryset`` that is still in a source state (and meets the
        transition's requirements and the queryset's own filters: the whole compare-and-set is
        one ``UPDATE``), stamp them, write one history row each, and return the rows this write
        changed (read back by the values written; ``updates`` therefore holds plain values, and
        a job passes the one ``at`` of its run). A job acts for the system: no role, permission
        or guard is asked, the caller chose the rows. Run it inside the caller's transaction.
        ``ids``: when the caller has them (a job's chunk), the ids the queryset is limited to;
        ``instances=False``: return the changed rows' primary keys (``update_with_history``)."""
        transition = self.get(name)
        field_name = self.field_of(transition)
        at = at or now()
        values = {field_name: transition.target, **transition.stamp_values(user=user, at=at), **(updates or {})}
        required = {f"{other}__in": states for other, states in transition.requires}
        candidates = queryset.filter(**{f"{field_name}__in": transition.sources}, **required)
        return update_with_history(candidates, values, ids=ids, reason=reason or str(transition.label), user=user,
                                   at=at, instances=instances)


WORKFLOWS: list[Workflow] = []  # every declared workflow, in the order the models were imported


def guarded_fields(model) -> set[str]:
    """The fields of ``model`` that only its services may change: the state fields of every
    workflow that moves it, and what the model declares in ``GUARDED_FIELDS`` (a stage's dates,
    a rule's verdict, an approved plan's content). The admin shows them read-only
    (crm.admin_base), so nothing reaches them around the services' checks."""
    fields = set(getattr(model, "GUARDED_FIELDS", ()))
    for workflow in WORKFLOWS:
        if workflow.permission and workflow.model is model:
            fields |= workflow.state_fields()
    return fields


def update_with_history(queryset, values: dict, *, reason: str, user=None, at: dt.datetime | None = None,
                        ids=None, instances: bool = True) -> list:
    """``queryset.update(**values)`` (a compare-and-set: the queryset's filters are its
    condition) plus one history row for each row it changed, as a save would have written,
    with ``reason`` and ``user``. Returns the changed rows, read back by the values written
    among ``ids`` (the ids the queryset is limited to; read first unless given): plain values
    only, so a row that another writer set to the same values meanwhile is counted as well. In
    the caller's transaction: the update and its history are one write. ``instances=False``:
    the changed rows' primary keys rather than model instances (a job that changes thousands).
    The history rows are copied from the table in SQL (``history_by_sql``), not built a model
    instance at a time."""
    model = queryset.model
    if ids is None:
        ids = list(queryset.values_list("pk", flat=True))
        queryset = queryset.filter(pk__in=ids)  # exactly the rows read back: none changed without its row
    if not ids or not queryset.update(**values):
        return []
    try:
        written = ids_in("pk", ids)  # integer ids: bound without preparing each through the field
    except (TypeError, ValueError):
        written = Q(pk__in=ids)
    changed = model._default_manager.filter(written, **values).order_by("pk")
    rows = list(changed) if instances else list(changed.values_list("pk", flat=True))
    pks = [row.pk for row in rows] if instances else rows
    if pks and hasattr(model, "history") and getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        date = at or now()
        if not history_by_sql(model, pks, reason=reason, user=user, at=date):
            model.history.bulk_history_create(rows if instances else list(changed), update=True, default_user=user,
                                              default_change_reason=reason, default_date=date)
    search.rows_changed(model, pks, values)
    return rows


def history_by_sql(model, pks, *, reason: str, user=None, at: dt.datetime, history_type: str = "~") -> bool:
    """The history rows simple-history's ``bulk_history_create`` writes for the rows ``pks`` of
    ``model`` (each as it is now in the table, ``history_type`` ``~``: changed), copied by one
    ``INSERT … SELECT`` a chunk of ids: no model instance per row, nothing through Python but
    the ids. The user is ``user``, else whom simple-history would name (the request's user).
    False, writing nothing, when the historical model has a field this does not know (the
    caller then writes them the usual way) or the ids are not integers."""
    from django.db import connections, router

    history = model.history.model
    tracked = {f.attname: f for f in history.tracked_fields}
    if user is None:
        user = history.get_default_history_user(model())
    constants = {"history_date": at, "history_change_reason": reason, "history_type": history_type,
                 "history_user_id": getattr(user, "pk", None)}
    using = router.db_for_write(model)
    connection = connections[using]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns, select, params = [], [], []
    for history_field in history._meta.concrete_fields:
        if history_field.attname in tracked:
            select.append(f"{table}.{quote(tracked[history_field.attname].column)}")
        elif history_field.attname in constants:
            select.append("%s")
            params.append(history_field.get_db_prep_save(constants[history_field.attname], connection))
        elif history_field.attname == "history_relation_id":
            select.append(f"{table}.{quote(model._meta.pk.column)}")
        elif history_field.attname == "history_id" and history_field.get_internal_type() in ("AutoField", "BigAutoField"):
            continue  # numbered by the database
        else:
            return False
        columns.append(quote(history_field.column))
    try:
        chunks = [ids_in("pk", pks[i:i + 2000]) for i in range(0, len(pks), 2000)]
    except (TypeError, ValueError):
        return False
    with connection.cursor() as cursor:
        for condition in chunks:
            query = model._default_manager.db_manager(using).filter(condition).query
            compiler = query.get_compiler(using=using)
            where, where_params = compiler.compile(query.where)
            cursor.execute(f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(columns)}) "
                           f"SELECT {', '.join(select)} FROM {table} WHERE {where}", [*params, *where_params])
    return True


def allowed(check, *args, **kwargs) -> bool:
    """True when ``check(*args, **kwargs)`` (a service's raising check) accepts: the yes/no a
    template needs, from the very check the service makes."""
    try:
        check(*args, **kwargs)
    except (PermissionDenied, ValidationError):
        return False
    return True


def obj_state_label(obj, field_name: str) -> str:
    getter = getattr(obj, f"get_{field_name}_display", None)
    return getter() if getter else getattr(obj, field_name)


def now():
    return timezone.now()
