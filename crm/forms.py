"""What the forms of every app share, and the shared core's own forms."""
from __future__ import annotations

import copy
import html
from collections.abc import Hashable

from django import forms
from django.http import Http404
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from crm.calendar_years import NoticeError, notice_errors, parse_days, parse_ranges

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



# --- Date pickers ------------------------------------------------------------------------------

def date_input(**attrs) -> forms.DateInput:
    """The date picker (``<input type="date">``) of every form. Its value is written as the
    browser reads it, YYYY-MM-DD, in every language: without the format Django writes the
    language's own (2026/12/07 in Chinese), which the browser drops, so a date the form shows
    (today by default) or one typed before a form error was lost."""
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date", **attrs})


def datetime_input(**attrs) -> forms.DateTimeInput:
    """The date-and-time picker (``<input type="datetime-local">``), written YYYY-MM-DDTHH:MM."""
    return forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local", **attrs})


# --- A report's period in the address --------------------------------------------------------


class _PeriodForm(forms.Form):
    """A report's period read from its address (a bookmark, the previous/next links, a typed
    value). None given: the current period. One that is not a date, or outside 2000–2100: the
    current period too, and the form's errors say so above the report
    (``templates/includes/period_errors.html``), rather than show another period silently."""

    field = ""

    def clean(self):
        value = self.cleaned_data.get(self.field)
        if value is not None and not 2000 <= value.year <= 2100:
            self.add_error(self.field, _("日期应在 2000 年至 2100 年之间。"))
        return self.cleaned_data

    def _asked(self):
        return self.cleaned_data.get(self.field) if self.is_valid() else None


class MonthForm(_PeriodForm):
    """``?month=YYYY-MM`` (as ``<input type="month">`` sends it): ``chosen(today)`` → (year, month)."""

    field = "month"
    month = forms.DateField(label=_("月份"), required=False, input_formats=["%Y-%m"],
                            error_messages={"invalid": _("月份应为 年-月，例如 2026-12。")})

    def chosen(self, today) -> tuple[int, int]:
        month = self._asked() or today
        return month.year, month.month


class WeekForm(_PeriodForm):
    """``?start=YYYY-MM-DD``, the first of seven days: ``chosen(today)`` → that day, or this
    week's Monday."""

    field = "start"
    start = forms.DateField(label=_("起始日期"), required=False, input_formats=["%Y-%m-%d"],
                            error_messages={"invalid": _("起始日期应为 年-月-日，例如 2026-12-07。")})

    def chosen(self, today):
        import datetime as dt

        return self._asked() or today - dt.timedelta(days=today.weekday())


# --- Fields written without the widget templates ----------------------------------------------
# Rendering a widget through Django's form renderer (a template per widget, one per option)
# costs more than the rest of a list page; these widgets are written here, with the very
# attributes and values Django computes (BoundField.build_widget_attrs, Widget.get_context),
# escaped the same way. Any other widget goes through Django.
_WRITTEN = {forms.TextInput, forms.EmailInput, forms.NumberInput, forms.URLInput, forms.DateInput,
            forms.DateTimeInput, forms.TimeInput, forms.Textarea, forms.Select}


def _attrs(attrs: dict) -> str:
    e = html.escape
    return "".join(f" {name}" if value is True else f' {name}="{e(str(value))}"'
                   for name, value in attrs.items() if value is not False)


def control_html(bound) -> str:
    """The HTML of a bound field's widget, as ``str(bound)`` renders it (see above)."""
    widget = bound.field.widget
    if type(widget) not in _WRITTEN or bound.field.localize:
        return bound.as_widget()
    e = html.escape
    attrs = bound.build_widget_attrs({}, widget)
    if bound.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound.auto_id)
    w = widget.get_context(bound.html_name, bound.value(), attrs)["widget"]
    if isinstance(widget, forms.Select):
        parts = []
        for group, options, _ in w["optgroups"]:
            inner = "".join(f'<option value="{e(str(o["value"]))}"{_attrs(o["attrs"])}>{e(str(o["label"]))}</option>'
                            for o in options)
            parts.append(f'<optgroup label="{e(str(group))}">{inner}</optgroup>' if group else inner)
        return mark_safe(f'<select name="{e(w["name"])}"{_attrs(w["attrs"])}>{"".join(parts)}</select>')
    if isinstance(widget, forms.Textarea):
        text = e(str(w["value"])) if w["value"] else ""
        return mark_safe(f'<textarea name="{e(w["name"])}"{_attrs(w["attrs"])}>\n{text}</textarea>')
    value = f' value="{e(str(w["value"]))}"' if w["value"] is not None else ""
    return mark_safe(f'<input type="{e(w["type"])}" name="{e(w["name"])}"{value}{_attrs(w["attrs"])}>')


class FieldsCopiedCheaply(dict):
    """A form class's ``base_fields`` for a form built on every request (a register's filter
    form): ``BaseForm.__init__`` deep-copies them for each form, and Django's deep copy of a
    choice field copies every option (each a lazy label) and more, which cost more than
    filtering. Here each field gets its own copy, widget, widget attributes, choices list, error
    messages and validators, so that a form may change its fields as before (a menu's choices
    set per request); only what nothing changes in place is shared: the option tuples, the
    labels and the callables that make choices."""

    def __deepcopy__(self, memo):
        return {name: _field_copy(field) for name, field in self.items()}


def _field_copy(field: forms.Field) -> forms.Field:
    new = copy.copy(field)
    new.widget = copy.copy(field.widget)
    new.widget.attrs = dict(field.widget.attrs)
    if hasattr(field.widget, "choices"):
        new.widget.choices = copy.copy(field.widget.choices)
    if hasattr(field, "_choices"):
        new._choices = copy.copy(field._choices)
    new.error_messages = dict(field.error_messages)
    new.validators = list(field.validators)
    return new


def written_controls(form, *, kind, depends_on: Hashable = ()) -> tuple[tuple[str, str, str], ...]:
    """(id, label, control HTML) of each field of a filter bar's bound ``form``, written once per
    process (crm.memo) for each set of submitted values and errors, then reused: the widgets of a
    bar of menus cost more than the page's rows. ``kind`` is what defines the form's fields (its
    FilterSet class), ``depends_on`` whatever else this request gave them (the menus of the
    user's scope): with the values, the errors and the language, all their HTML depends on."""
    from crm import memo

    data = form.data if form.is_bound else {}

    def submitted(name):
        key = form.add_prefix(name)
        return tuple(data.getlist(key)) if hasattr(data, "getlist") else data.get(key)

    values = tuple((name, submitted(name), form.is_bound and name in form.errors) for name in form.fields)
    return memo.remember(("controls", kind, values, depends_on),
                         lambda: tuple((bound.id_for_label, str(bound.label), control_html(bound)) for bound in form))


class CalendarYearNoticeForm(forms.Form):
    """A year's notice as the State Council lists it: one holiday range a line, the 调休
    working days. ``cleaned_data`` holds the parsed ranges and days."""

    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)
    notice_title = forms.CharField(label=_("通知标题"), max_length=200)
    notice_date = forms.DateField(label=_("通知发布日期"), widget=date_input())
    holiday_ranges = forms.CharField(
        label=_("放假日期"), widget=forms.Textarea(attrs={"rows": 8, "cols": 60}),
        help_text=_("每行一个节日：名称 开始日期 至 结束日期，含周末，例如“春节 2027-02-06 至 2027-02-12”；"
                    "只放一天的写一个日期。"))
    working_days = forms.CharField(
        label=_("调休上班日期"), required=False, widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("通知中“上班”的周六、周日，每行一个或用逗号分隔，例如“2027-02-20”。"))

    def __init__(self, *args, year_fixed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if year_fixed:
            self.fields["year"].disabled = True

    def clean_holiday_ranges(self):
        try:
            return parse_ranges(self.cleaned_data["holiday_ranges"])
        except NoticeError as exc:
            raise forms.ValidationError(exc.messages) from exc

    def clean_working_days(self):
        try:
            return parse_days(self.cleaned_data["working_days"])
        except NoticeError as exc:
            raise forms.ValidationError(exc.messages) from exc

    def clean(self):
        data = super().clean()
        if not self.errors:
            for message in notice_errors(data["year"], data["holiday_ranges"], data["working_days"]):
                self.add_error(None, message)
        return data
