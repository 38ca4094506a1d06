import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.filters import ProjectScopedFilterSet
from property_liaison.models import (
    ActionItem,
    Area,
    CoordinationMeeting,
    Inspection,
    Rectification,
    RepairRequest,
    WarrantyCategory,
)

_SELECT = forms.Select(attrs={"class": "form-select form-select-sm"})
_DATE = forms.DateInput(format="%Y-%m-%d", attrs={"class": "form-control form-control-sm", "type": "date"})
_TEXT = forms.TextInput(attrs={"class": "form-control form-control-sm", "placeholder": _("搜索")})


class MeetingFilter(ProjectScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"), widget=_TEXT)
    form = django_filters.ChoiceFilter(choices=CoordinationMeeting.Form.choices, label=_("形式"), widget=_SELECT)
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("从"), widget=_DATE)
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("到"), widget=_DATE)

    class Meta:
        model = CoordinationMeeting
        fields = ["project", "form"]

    def search(self, qs, name, value):
        return qs.filter(Q(number__icontains=value) | Q(minutes__icontains=value) | Q(issues_raised__icontains=value))


class ActionItemFilter(ProjectScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"), widget=_TEXT)
    status = django_filters.ChoiceFilter(choices=ActionItem.Status.choices, label=_("状态"), widget=_SELECT)
    party = django_filters.ChoiceFilter(choices=ActionItem.Party.choices, label=_("责任方"), widget=_SELECT)

    class Meta:
        model = ActionItem
        fields = ["project", "status", "party"]

    def search(self, qs, name, value):
        return qs.filter(Q(description__icontains=value) | Q(assignee__icontains=value))


class InspectionFilter(ProjectScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"), widget=_TEXT)
    kind = django_filters.ChoiceFilter(choices=Inspection.Kind.choices, label=_("类型"), widget=_SELECT)
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("从"), widget=_DATE)
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("到"), widget=_DATE)

    class Meta:
        model = Inspection
        fields = ["project", "kind"]

    def search(self, qs, name, value):
        return qs.filter(Q(number__icontains=value) | Q(summary__icontains=value))


class RectificationFilter(ProjectScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"), widget=_TEXT)
    status = django_filters.ChoiceFilter(choices=Rectification.Status.choices, label=_("状态"), widget=_SELECT)
    area = django_filters.ChoiceFilter(field_name="finding__area", choices=Area.choices, label=_("区域"), widget=_SELECT)
    overdue = django_filters.BooleanFilter(field_name="escalated_at", lookup_expr="isnull", exclude=True,
                                           label=_("已逾期升级"), widget=forms.Select(
                                               choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))],
                                               attrs={"class": "form-select form-select-sm"}))

    class Meta:
        model = Rectification
        fields = ["project", "status"]

    def search(self, qs, name, value):
        return qs.filter(Q(requirement__icontains=value) | Q(finding__description__icontains=value))


class RepairFilter(ProjectScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"), widget=_TEXT)
    status = django_filters.ChoiceFilter(choices=RepairRequest.Status.choices, label=_("状态"), widget=_SELECT)
    category = django_filters.ModelChoiceFilter(queryset=WarrantyCategory.objects.all(), label=_("类别"), widget=_SELECT)
    in_warranty = django_filters.BooleanFilter(label=_("在保修期内"), widget=forms.Select(
        choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))], attrs={"class": "form-select form-select-sm"}))

    class Meta:
        model = RepairRequest
        fields = ["project", "status", "category", "in_warranty"]

    def search(self, qs, name, value):
        return qs.filter(Q(number__icontains=value) | Q(location__icontains=value) | Q(description__icontains=value)
                         | Q(unit__number__icontains=value))
