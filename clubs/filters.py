import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clubs.models import ClubActivity, ClubMember, OwnerForum
from crm.filters import ProjectScopedFilterSet
from owners.models import Customer

_SELECT = forms.Select(attrs={"class": "form-select form-select-sm"})
_DATE = forms.DateInput(attrs={"class": "form-control form-control-sm", "type": "date"})
_TEXT = forms.TextInput(attrs={"class": "form-control form-control-sm", "placeholder": _("搜索")})


class ForumFilter(ProjectScopedFilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"), widget=_TEXT)
    kind = django_filters.ChoiceFilter(choices=OwnerForum.Kind.choices, empty_label=_("全部"), label=_("类型"), widget=_SELECT)
    status = django_filters.ChoiceFilter(choices=OwnerForum.Status.choices, empty_label=_("全部"), label=_("状态"), widget=_SELECT)
    follow_up = django_filters.ChoiceFilter(method="follow_up_state", empty_label=_("全部"), label=_("结果跟进"), widget=_SELECT,
                                            choices=[("open", _("跟进中")), ("due", _("跟进到期")), ("done", _("跟进已完成"))])
    date_from = django_filters.DateFilter(field_name="planned_at", lookup_expr="date__gte", label=_("从"), widget=_DATE)
    date_to = django_filters.DateFilter(field_name="planned_at", lookup_expr="date__lte", label=_("到"), widget=_DATE)

    class Meta:
        model = OwnerForum
        fields = ["project", "kind", "status"]

    def search(self, qs, name, value):
        return qs.filter(Q(number__icontains=value) | Q(title__icontains=value) | Q(topic__icontains=value)
                         | Q(minutes__icontains=value))

    def follow_up_state(self, qs, name, value):
        if value == "done":
            return qs.filter(follow_up_done_at__isnull=False)
        qs = qs.filter(status=OwnerForum.Status.CLOSED, follow_up_done_at__isnull=True)
        return qs.filter(follow_up_due__lte=timezone.localdate()) if value == "due" else qs


class ActivityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"), widget=_TEXT)
    kind = django_filters.ChoiceFilter(choices=ClubActivity.Kind.choices, empty_label=_("全部"), label=_("计划类型"), widget=_SELECT)
    status = django_filters.ChoiceFilter(choices=ClubActivity.Status.choices, empty_label=_("全部"), label=_("状态"), widget=_SELECT)
    date_from = django_filters.DateFilter(field_name="period_start", lookup_expr="gte", label=_("从"), widget=_DATE)
    date_to = django_filters.DateFilter(field_name="period_start", lookup_expr="lte", label=_("到"), widget=_DATE)

    class Meta:
        model = ClubActivity
        fields = ["kind", "status"]

    def search(self, qs, name, value):
        return qs.filter(Q(number__icontains=value) | Q(title__icontains=value) | Q(content__icontains=value))


class MemberFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"), widget=_TEXT)
    level = django_filters.ChoiceFilter(choices=ClubMember.Level.choices, empty_label=_("全部"), label=_("等级"), widget=_SELECT)
    status = django_filters.ChoiceFilter(choices=ClubMember.Status.choices, empty_label=_("全部"), label=_("状态"), widget=_SELECT)

    class Meta:
        model = ClubMember
        fields = ["level", "status"]

    def search(self, qs, name, value):
        return qs.filter(Q(number__icontains=value) | Q(customer__name__icontains=value)
                         | Q(customer__phone__endswith=value))


class ParticipantFilter(ProjectScopedFilterSet):
    """Choosing forum participants from the owners by filters."""

    q = django_filters.CharFilter(method="search", label=_("姓名/电话"), widget=_TEXT)
    stage = django_filters.ChoiceFilter(choices=Customer.Stage.choices, empty_label=_("全部"), label=_("客户阶段"), widget=_SELECT)

    class Meta:
        model = Customer
        fields = ["project", "stage"]

    def search(self, qs, name, value):
        return qs.filter(Q(name__icontains=value) | Q(phone__endswith=value))
