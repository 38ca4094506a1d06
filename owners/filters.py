import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from crm.filters import SELECT, ProjectScopedFilterSet, SearchFilter, YesNoFilter, date_range
from owners.models import ContactLog, Customer


class CustomerFilter(ProjectScopedFilterSet):
    stage = django_filters.ChoiceFilter(choices=Customer.Stage.choices, label=_("阶段"), empty_label=_("全部阶段"),
                                        widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    source = django_filters.ChoiceFilter(choices=Customer.Source.choices, label=_("来源"), empty_label=_("全部来源"),
                                         widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    confidential = YesNoFilter(label=_("保密服务"), any_label=_("保密不限"), yes=_("仅保密"), no=_("非保密"))

    class Meta:
        model = Customer
        fields = ["project", "stage", "source", "confidential"]


class ContactLogFilter(ProjectScopedFilterSet):
    """来电来访记录: the 搜索 box (number, customer's name or code, the need), the kind, the
    project of the user's scope and the days it happened."""

    q = SearchFilter("number__icontains", "customer__name__icontains", "customer__code__iexact", "need__icontains",
                     placeholder=_("编号、客户或需求"))
    kind = django_filters.ChoiceFilter(choices=ContactLog.Kind.choices, label=_("类型"), empty_label=_("全部类型"),
                                       widget=SELECT)
    occurred_from, occurred_to = date_range("occurred_at__date", labels=(_("日期从"), _("到")))

    class Meta:
        model = ContactLog
        fields = ["q", "kind", "project"]
