import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from crm.filters import ProjectScopedFilterSet
from owners.models import Customer


class CustomerFilter(ProjectScopedFilterSet):
    stage = django_filters.ChoiceFilter(choices=Customer.Stage.choices, label=_("阶段"), empty_label=_("全部阶段"),
                                        widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    source = django_filters.ChoiceFilter(choices=Customer.Source.choices, label=_("来源"), empty_label=_("全部来源"),
                                         widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    confidential = django_filters.BooleanFilter(
        label=_("保密服务"),
        widget=forms.Select(choices=[("", _("保密不限")), ("true", _("仅保密")), ("false", _("非保密"))],
                            attrs={"class": "form-select form-select-sm"}),
    )

    class Meta:
        model = Customer
        fields = ["project", "stage", "source", "confidential"]
