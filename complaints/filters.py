"""The register's filters (django-filter), applied in selectors."""
import copy
import datetime as dt
import re

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm import memo, search
from crm.forms import FieldsCopiedCheaply, date_input

from .models import Category, ClockState, Complaint, Kind, Severity, State


def _choices(enum):
    """The choices as a callable: a FilterSet deep-copies its filters and its form's fields on
    every request, and a list of translated labels costs far more to copy than a function. The
    labels come translated once per language (crm.memo), not looked up at every option."""
    return lambda: memo.choices(enum)


ALL = _("全部")


class _CheapCopy:
    """A FilterSet deep-copies every filter for every request, which cost more than filtering.
    A filter holds nothing a request changes but ``extra`` (the menus' choices) and the proxy
    to its method, so a copy with its own ``extra`` and proxy is all a request needs."""

    def __deepcopy__(self, memo):
        new = copy.copy(self)
        new.extra = dict(self.extra)
        new.__dict__.pop("_field", None)
        if getattr(self, "_method", None):
            new.method = self._method  # re-binds the proxy to the copy (and so to its FilterSet)
        return new


class CharFilter(_CheapCopy, django_filters.CharFilter):
    pass


class ChoiceFilter(_CheapCopy, django_filters.ChoiceFilter):
    pass


class DateFilter(_CheapCopy, django_filters.DateFilter):
    pass


MENUS = ("project", "department")  # the user's projects and the departments: given per request


class ComplaintFilter(django_filters.FilterSet):
    q = CharFilter(label=_("搜索"), method="search")
    kind = ChoiceFilter(label=_("类型"), choices=_choices(Kind), empty_label=ALL)
    state = ChoiceFilter(label=_("状态"), choices=_choices(State), empty_label=ALL)
    severity = ChoiceFilter(label=_("严重程度"), choices=_choices(Severity), empty_label=ALL)
    # Project and department menus: the user's projects and the departments, given by the
    # selector (validating a choice against them costs no query).
    project = ChoiceFilter(label=_("项目"), choices=(), empty_label=ALL)
    category = ChoiceFilter(label=_("类别"), choices=_choices(Category), empty_label=ALL)
    department = ChoiceFilter(label=_("责任部门"), choices=(), empty_label=ALL)
    clock_state = ChoiceFilter(label=_("时限状态"), choices=_choices(ClockState), method="by_clock",
                                             empty_label=ALL)
    # Local days as a datetime range on the received_at index (a __date lookup converts every row).
    received_from = DateFilter(label=_("受理日期从"), method="received_since", widget=date_input())
    received_to = DateFilter(label=_("至"), method="received_until", widget=date_input())
    # Archived cases stay in the register (含已归档 by default): searched, shown and exported.
    archive = ChoiceFilter(label=_("归档"), method="by_archive", empty_label=_("含已归档"),
                                          choices=lambda: [("exclude", _("不含已归档")), ("only", _("仅已归档"))])

    class Meta:
        model = Complaint
        fields = ["q", "kind", "state", "severity", "project", "category", "department", "clock_state", "archive"]

    def __init__(self, data=None, queryset=None, *, menus, phones=True, words_apart=False, **kwargs):
        """``menus``: {"project": [(pk, name), …], "department": [(pk, name), …]}; a project
        outside the user's menu is refused like any invalid choice. ``phones``: whether the
        user may find cases by phone digits (those who see the numbers in full), or a function
        that tells, asked only when there is something to search (it reads the permissions).
        ``words_apart``: the search box filters nothing (the register ranks the words itself,
        crm.search.ranked, with the exact matches)."""
        super().__init__(data, queryset, **kwargs)
        self.phones = phones
        self.words_apart = words_apart
        self.menus = tuple(tuple((str(pk), label) for pk, label in menus[name]) for name in MENUS)
        for name, choices in zip(MENUS, self.menus):
            self.filters[name].extra["choices"] = choices
            self.form.fields[name].choices = choices

    def get_form_class(self):
        """The filter form, built once per process: its fields are the same for every request
        but for the menus, which each request's form is given (``__init__``); django-filter
        built the eleven fields and a class on every request."""
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            fields = {name: copy.deepcopy(filter_).field for name, filter_ in cls.base_filters.items()}
            for field in fields.values():
                field.widget.attrs.setdefault("class", "form-select form-select-sm"
                                              if hasattr(field, "choices") else "form-control form-control-sm")
            cls._form_class = type(f"{cls.__name__}Form", (cls._meta.form,), fields)
            cls._form_class.base_fields = FieldsCopiedCheaply(cls._form_class.base_fields)
        return cls._form_class

    def controls(self) -> tuple[tuple[str, str, str], ...]:
        """(id, label, control HTML) of each field (crm.forms.control_html: without the widget
        templates), written once per process for each query string, menus and language
        (crm.forms.written_controls): the fields are this class's, but for the menus."""
        from crm.forms import written_controls

        return written_controls(self.form, kind=ComplaintFilter, depends_on=self.menus)

    def search(self, queryset, name, value):
        """A whole case number finds that case on the unique index; anything else finds the cases
        whose words hold it (crm.search) and those ``exact_matches`` finds."""
        value = value.strip()
        if self.words_apart:
            return queryset
        if CASE_NUMBER.fullmatch(value):
            return queryset.filter(number=value.upper())
        phones = self.phones() if callable(self.phones) else self.phones
        found = exact_matches(value, phones=phones).values("pk")
        words = search.matches(Complaint, value, phones=phones)
        return queryset.filter(Q(pk__in=found) | words if words is not None else Q(pk__in=found))

    def received_since(self, queryset, name, value):
        return queryset.filter(received_at__gte=_local_midnight(value))

    def received_until(self, queryset, name, value):
        return queryset.filter(received_at__lt=_local_midnight(value + dt.timedelta(days=1)))

    def by_archive(self, queryset, name, value):
        if value == "only":
            return queryset.filter(state=State.ARCHIVED)
        return queryset.exclude(state=State.ARCHIVED)

    def by_clock(self, queryset, name, value):
        return queryset.filter(pk__in=_clock_ids(value))


CASE_NUMBER = re.compile(r"[A-Za-z]{2}-\d{4}-\d{6,}")  # TS-2026-000123 (complaints.services numbers)


def exact_matches(value: str, *, phones: bool):
    """The cases a search finds by what identifies them rather than by their words: a part of
    the number (when the search holds a digit), the complainant's whole name, and (four digits
    or more, for users who may see phones) the phone's digits. Each branch on its own index (a
    covering scan of the number's or the phone's index on SQLite, a trigram index on PostgreSQL,
    migration 0006), united: an OR of them reads the whole table."""
    value = value.strip()
    digits = "".join(ch for ch in value if ch.isdigit())
    branches = [Complaint.objects.filter(complainant_name=value)]
    if digits:
        branches.append(Complaint.objects.filter(number__icontains=value))
    if phones and len(digits) >= 4:
        branches.append(Complaint.objects.filter(phone_digits__contains=digits))
    first, *rest = (b.order_by().values("pk") for b in branches)
    return first.union(*rest) if rest else first


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _clock_ids(state):
    from .models import SlaClock

    return SlaClock.objects.filter(state=state).values("complaint_id")
