"""State machines declared once, fired only through a service.

A model declares its ``Workflow`` (states and transitions with the roles that may fire
them); its app's services call ``workflow.fire(...)``, which refuses a transition that the
current state (read in the database, compare-and-set) or the user's role does not allow,
and writes exactly one history record for the change. Views ask ``available`` which
buttons to show, so the UI offers only what the service would accept.

Steps that run side by side are parallel tracks of one workflow: a transition may move its
own ``field`` instead of the workflow's (a complaint's return visit runs beside its corrective
action), and may ``require`` other fields to be in given states (closing needs both tracks
done); the requirement is part of the same compare-and-set.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from crm.scopes import user_role


class TransitionNotAllowed(ValidationError):
    """The current state does not allow the transition (it may have changed meanwhile)."""


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


@dataclass
class Workflow:
    field: str
    transitions: list[Transition]
    _by_name: dict = field(init=False)

    def __post_init__(self):
        self._by_name = {t.name: t for t in self.transitions}
        if len(self._by_name) != len(self.transitions):
            raise ValueError("duplicate transition name")

    def get(self, name: str) -> Transition:
        return self._by_name[name]

    def allows_role(self, transition: Transition, user) -> bool:
        if user.is_superuser:
            return True
        return not transition.roles or user_role(user) in transition.roles

    def field_of(self, transition: Transition) -> str:
        return transition.field or self.field

    def _in_state(self, obj, transition: Transition) -> bool:
        return getattr(obj, self.field_of(transition)) in transition.sources

    @staticmethod
    def _requirements_met(obj, transition: Transition) -> bool:
        return all(getattr(obj, name) in states for name, states in transition.requires)

    def available(self, obj, user) -> list[Transition]:
        return [t for t in self.transitions
                if self._in_state(obj, t) and self._requirements_met(obj, t) and self.allows_role(t, user)]

    def check(self, obj, name: str, user) -> Transition:
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
        obj._change_reason = transition.label
        obj.save(update_fields=[field_name, *updates.keys()])
        return obj


def obj_state_label(obj, field_name: str) -> str:
    getter = getattr(obj, f"get_{field_name}_display", None)
    return getter() if getter else getattr(obj, field_name)


def now():
    return timezone.now()
