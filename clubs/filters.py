import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clubs.models import ClubActivity, ClubMember, OwnerForum
from crm.filters import SELECT, ProjectScopedFilterSet, SearchFilter, date_range
from owners.models import Customer


class ForumFilter(ProjectScopedFilterSet):
    q = SearchFilter("number__icontains", "title__icontains", "topic__icontains", "minutes__icontains")
    kind = django_filters.ChoiceFilter(choices=OwnerForum.Kind.choices, empty_label=_("全部"), label=_("类型"), widget=SELECT)
    status = django_filters.ChoiceFilter(choices=OwnerForum.Status.choices, empty_label=_("全部"), label=_("状态"), widget=SELECT)
    follow_up = django_filters.ChoiceFilter(method="follow_up_state", empty_label=_("全部"), label=_("结果跟进"), widget=SELECT,
                                            choices=[("open", _("跟进中")), ("due", _("跟进到期")), ("done", _("跟进已完成"))])
    date_from, date_to = date_range("planned_at__date")

    class Meta:
        model = OwnerForum
        fields = ["project", "kind", "status"]

    def follow_up_state(self, qs, name, value):
        if value == "done":
            return qs.filter(follow_up_done_at__isnull=False)
        qs = qs.filter(status=OwnerForum.Status.CLOSED, follow_up_done_at__isnull=True)
        return qs.filter(follow_up_due__lte=timezone.localdate()) if value == "due" else qs


class ActivityFilter(django_filters.FilterSet):
    q = SearchFilter("number__icontains", "title__icontains", "content__icontains")
    kind = django_filters.ChoiceFilter(choices=ClubActivity.Kind.choices, empty_label=_("全部"), label=_("计划类型"), widget=SELECT)
    status = django_filters.ChoiceFilter(choices=ClubActivity.Status.choices, empty_label=_("全部"), label=_("状态"), widget=SELECT)
    date_from, date_to = date_range("period_start")

    class Meta:
        model = ClubActivity
        fields = ["kind", "status"]


class MemberFilter(django_filters.FilterSet):
    q = SearchFilter("number__icontains", "customer__name__icontains", "customer__phone__endswith")
    level = django_filters.ChoiceFilter(choices=ClubMember.Level.choices, empty_label=_("全部"), label=_("等级"), widget=SELECT)
    status = django_filters.ChoiceFilter(choices=ClubMember.Status.choices, empty_label=_("全部"), label=_("状态"), widget=SELECT)

    class Meta:
        model = ClubMember
        fields = ["level", "status"]


class ParticipantFilter(ProjectScopedFilterSet):
    """Choosing forum participants from the owners by filters."""

    q = SearchFilter("name__icontains", "phone__endswith", label=_("姓名/电话"))
    stage = django_filters.ChoiceFilter(choices=Customer.Stage.choices, empty_label=_("全部"), label=_("客户阶段"), widget=SELECT)

    class Meta:
        model = Customer
        fields = ["project", "stage"]
