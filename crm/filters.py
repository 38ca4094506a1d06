"""What the register filters of every app share: the widgets of the filter bar
(templates/includes/filter_bar.html) and the 项目 menu limited to the user's projects."""
import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from owners.models import Project

SELECT = forms.Select(attrs={"class": "form-select form-select-sm"})
DATE = forms.DateInput(format="%Y-%m-%d", attrs={"class": "form-control form-control-sm", "type": "date"})
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
