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
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation

from crm.scopes import user_role


class TransitionNotAllowed(ValidationError):
    """The current state does not allow the transition (it may have changed meanwhile)."""


Guard = Callable[[object, object], None]  # guard(obj, user): raises PermissionDenied/ValidationError to refuse


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
            raise TransitionNotAllowed("未知的操作。")
        if not self.allows_role(transition, user):
            raise PermissionDenied(f"您的角色不能执行“{transition.label}”。")
        field_name = self.field_of(transition)
        if not self._in_state(obj, transition):
            raise TransitionNotAllowed(
                f"当前状态“{obj_state_label(obj, field_name)}”不能执行“{transition.label}”，请刷新页面查看最新状态。"
            )
        if not self._requirements_met(obj, transition):
            raise TransitionNotAllowed(transition.requires_message or f"尚不能执行“{transition.label}”，请刷新页面查看最新状态。")
        if transition.guard is not None:
            transition.guard(obj, user)
        return transition

    @transaction.atomic
    def fire(self, obj, name: str, *, user, updates: dict | None = None):
        """Move ``obj`` along transition ``name``; the row changes only if its state in the
        database is still one of the transition's sources (compare-and-set)."""
        transition = self.check(obj, name, user)
        field_name = self.field_of(transition)
        updates = dict(updates or {})
        model = type(obj)
        required = {f"{other}__in": states for other, states in transition.requires}
        changed = model._default_manager.filter(
            pk=obj.pk, **{f"{field_name}__in": transition.sources}, **required
        ).update(**{field_name: transition.target}, **updates)
        if changed != 1:
            raise TransitionNotAllowed(f"“{transition.label}”未执行：记录已被他人处理，请刷新页面。")
        obj.refresh_from_db()
        # The update above wrote no history; this save writes exactly one entry for the change.
        obj._history_user = user
        # Recorded in the office's language (the msgid), whoever acts; the history shows it
        # translated into the reader's language (includes/history.html).
        with translation.override(settings.LANGUAGE_CODE):
            obj._change_reason = str(transition.label)
        obj.save(update_fields=[field_name, *updates.keys()])
        return obj


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
