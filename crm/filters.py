"""What the register filters of every app share: the widgets of the filter bar
(templates/includes/filter_bar.html), the search box over several fields, the from–to dates
and the 项目 menu limited to the user's projects."""
import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm import search
from crm.forms import date_input
from owners.models import Project

SELECT = forms.Select(attrs={"class": "form-select form-select-sm"})
DATE = date_input(**{"class": "form-control form-control-sm"})
TEXT = forms.TextInput(attrs={"class": "form-control form-control-sm", "placeholder": _("搜索")})


class ProjectScopedFilterSet(django_filters.FilterSet):
    """A register's FilterSet whose 项目 menu offers only ``projects`` (the user's scope, from
    crm.scopes.visible_projects): another project's id in the query string is not a choice, so
    the filter is invalid rather than a way to look outside the scope."""

    project = django_filters.ModelChoiceFilter(queryset=Project.objects.none(), label=_("项目"),
                                               empty_label=_("全部项目"), widget=SELECT)

    def __init__(self, data=None, queryset=None, *, projects=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        if "project" in self.filters:
            self.filters["project"].queryset = projects if projects is not None else Project.objects.none()


class _YesNoField(forms.NullBooleanField):
    """A yes/no menu's value: yes, no or nothing (any). Django's own reads every other value as
    nothing, so a mistyped ?confidential=ture would list everything and look filtered."""

    default_error_messages = {"invalid": _("请选择“是”、“否”或不限。")}
    ACCEPTED = (None, "", "true", "false", "True", "False", "1", "0", True, False)

    def to_python(self, value):
        if value not in self.ACCEPTED:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class YesNoFilter(django_filters.BooleanFilter):
    """A filter bar's yes/no menu (“any” first): a value other than yes, no or nothing is an
    error the bar shows and an export refuses (crm.exports), not “any”."""

    field_class = _YesNoField

    def __init__(self, *, label, any_label=_("全部"), yes=_("是"), no=_("否"), **kwargs):
        kwargs.setdefault("widget", forms.Select(choices=[("", any_label), ("true", yes), ("false", no)],
                                                 attrs={"class": "form-select form-select-sm"}))
        super().__init__(label=label, **kwargs)


def filter_list(filterset_class, queryset, params, *, user=None, **kwargs) -> tuple:
    """A register's FilterSet bound to the query string, and the records it keeps: (filterset,
    records). While a filter is invalid (a wrong date, a project outside the user's scope) the
    bar shows why and no filter applies — never a partly filtered list that looks complete. A
    ``ProjectScopedFilterSet`` gets ``user``'s projects as its 项目 menu."""
    if issubclass(filterset_class, ProjectScopedFilterSet) and "projects" not in kwargs:
        from crm.scopes import visible_projects

        kwargs["projects"] = visible_projects(user)
    filterset = filterset_class(params or None, queryset=queryset, **kwargs)
    return filterset, (filterset.qs if filterset.is_valid() else queryset)


class SearchFilter(django_filters.CharFilter):
    """A register's 搜索 box: the words typed are looked up in several fields at once, any of
    them matching (``SearchFilter("number__icontains", "customer__phone__endswith")``), each a
    lookup of a field of the record or of a record it points to (never a to-many relation, so
    a row matches once). A record whose model has a search document (crm.search: a forum with
    its opinions, an inspection with its findings, a customer) is also found by its words,
    never by the phones in it. Blank or spaces only: no filter."""

    def __init__(self, *lookups: str, label=_("搜索"), placeholder=None, **kwargs):
        if not lookups:
            raise ValueError("SearchFilter needs the lookups it searches")
        widget = forms.TextInput(attrs={"class": "form-control form-control-sm",
                                        "placeholder": placeholder if placeholder is not None else label})
        super().__init__(label=label, widget=widget, **kwargs)
        self.lookups = lookups

    def condition(self, value: str) -> Q:
        """The box's own fields holding ``value`` (any of them)."""
        condition = Q()
        for lookup in self.lookups:
            condition |= Q(**{lookup: value})
        return condition

    def filter(self, qs, value):
        value = (value or "").strip()
        if not value:
            return qs
        words = search.matches(qs.model, value, phones=False)
        return qs.filter(self.condition(value) | words if words is not None else self.condition(value))


def ranked_records(filterset, records, name: str = "q"):
    """A register's ``records`` (``filterset``'s, filtered) in the order of its 搜索 box when the box
    holds words of a searchable model (crm.search.RankedList: what the box finds by its fields
    first, then the words in the title, then elsewhere, newest first in each; the words marked),
    else ``records`` as they are."""
    value = (filterset.form.cleaned_data.get(name) or "").strip() if filterset.is_valid() else ""
    if not value or search.searchable(records.model) is None or not search.query_words(value):
        return records
    box = filterset.filters[name]
    return search.RankedList(records, value, found_by_fields=records.filter(box.condition(value)).values("pk"))


def date_range(field: str, labels=(_("从"), _("到"))) -> tuple:
    """The two date filters of a period (from, to — both days included) on ``field``:
    ``date_from, date_to = date_range("date")``."""
    return (django_filters.DateFilter(field_name=field, lookup_expr="gte", label=labels[0], widget=DATE),
            django_filters.DateFilter(field_name=field, lookup_expr="lte", label=labels[1], widget=DATE))
