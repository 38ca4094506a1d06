"""The admin's base classes for every app: a field that only a service may change is read-only.

The admin is a second way into the rows. Where a service checks a change (a state moves only by
its workflow; a plan is not edited once approved; a rule's verdict is computed), the admin must
not let anyone make that change around the check. ``crm.workflow.guarded_fields`` names those
fields; every ModelAdmin and inline of the product derives from these classes, and
``crm/tests/test_admin_guarded.py`` walks them all. Free text the services do not guard stays
correctable.
"""
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from crm.workflow import guarded_fields


class GuardedFieldsMixin:
    def get_readonly_fields(self, request, obj=None):
        declared = list(super().get_readonly_fields(request, obj))
        return declared + sorted(guarded_fields(self.model) - set(declared))


class CrmAdmin(GuardedFieldsMixin, SimpleHistoryAdmin):
    """A model with history."""


class CrmModelAdmin(GuardedFieldsMixin, admin.ModelAdmin):
    """A model without history (notifications, exports, logs)."""


class CrmTabularInline(GuardedFieldsMixin, admin.TabularInline):
    pass


class CrmStackedInline(GuardedFieldsMixin, admin.StackedInline):
    pass
