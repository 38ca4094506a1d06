"""What the forms of every app share."""
from __future__ import annotations

from django import forms
from django.http import Http404

# The codes Django gives a posted id that is not among a model choice field's records.
_NOT_AMONG_CHOICES = {"invalid_choice", "invalid_pk_value", "invalid_list"}


class ScopedChoicesMixin:
    """For a form whose model choice fields offer only records in the user's scope (projects,
    owners, members, users of a role): a posted id outside them is a guessed or forged id, and
    the answer is a 404, as for a guessed id in the URL, not a form error that says the
    record exists (crm.views.objects_or_404 does the same for ids posted without a form)."""

    def full_clean(self):
        super().full_clean()
        for name, errors in self.errors.as_data().items():
            field = self.fields.get(name)
            if isinstance(field, forms.ModelChoiceField) and any(e.code in _NOT_AMONG_CHOICES for e in errors):
                raise Http404(f"{name}: not among the records in scope")
