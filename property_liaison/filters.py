import django_filters
from django.utils.translation import gettext_lazy as _

from crm.filters import SELECT, ProjectScopedFilterSet, SearchFilter, YesNoFilter, date_range
from property_liaison.models import (
    ActionItem,
    Area,
    CoordinationMeeting,
    Inspection,
    Rectification,
    RepairRequest,
    WarrantyCategory,
)


class MeetingFilter(ProjectScopedFilterSet):
    q = SearchFilter("number__icontains", "minutes__icontains", "issues_raised__icontains")
    form = django_filters.ChoiceFilter(choices=CoordinationMeeting.Form.choices, empty_label=_("全部"), label=_("形式"), widget=SELECT)
    date_from, date_to = date_range("date")

    class Meta:
        model = CoordinationMeeting
        fields = ["project", "form"]


class ActionItemFilter(ProjectScopedFilterSet):
    q = SearchFilter("description__icontains", "assignee__icontains")
    status = django_filters.ChoiceFilter(choices=ActionItem.Status.choices, empty_label=_("全部"), label=_("状态"), widget=SELECT)
    party = django_filters.ChoiceFilter(choices=ActionItem.Party.choices, empty_label=_("全部"), label=_("责任方"), widget=SELECT)

    class Meta:
        model = ActionItem
        fields = ["project", "status", "party"]


class InspectionFilter(ProjectScopedFilterSet):
    q = SearchFilter("number__icontains", "summary__icontains")
    kind = django_filters.ChoiceFilter(choices=Inspection.Kind.choices, empty_label=_("全部"), label=_("类型"), widget=SELECT)
    date_from, date_to = date_range("date")

    class Meta:
        model = Inspection
        fields = ["project", "kind"]


class RectificationFilter(ProjectScopedFilterSet):
    q = SearchFilter("requirement__icontains", "finding__description__icontains")
    status = django_filters.ChoiceFilter(choices=Rectification.Status.choices, empty_label=_("全部"), label=_("状态"), widget=SELECT)
    area = django_filters.ChoiceFilter(field_name="finding__area", choices=Area.choices, empty_label=_("全部"), label=_("区域"), widget=SELECT)
    overdue = YesNoFilter(field_name="escalated_at", lookup_expr="isnull", exclude=True, label=_("已逾期升级"))

    class Meta:
        model = Rectification
        fields = ["project", "status"]


class RepairFilter(ProjectScopedFilterSet):
    q = SearchFilter("number__icontains", "location__icontains", "description__icontains", "unit__number__icontains")
    status = django_filters.ChoiceFilter(choices=RepairRequest.Status.choices, empty_label=_("全部"), label=_("状态"), widget=SELECT)
    category = django_filters.ModelChoiceFilter(queryset=WarrantyCategory.objects.all(), empty_label=_("全部"), label=_("类别"), widget=SELECT)
    in_warranty = YesNoFilter(label=_("在保修期内"))

    class Meta:
        model = RepairRequest
        fields = ["project", "status", "category", "in_warranty"]
