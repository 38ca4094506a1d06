import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from owners.models import Customer, Project


class CustomerFilter(django_filters.FilterSet):
    project = django_filters.ModelChoiceFilter(queryset=Project.objects.none(), label=_("项目"), empty_label=_("全部项目"),
                                               widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
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

    def __init__(self, data=None, queryset=None, *, projects=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        if projects is not None:
            self.filters["project"].queryset = projects
