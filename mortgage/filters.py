"""FilterSets of the mortgage lists (applied in selectors.py)."""
import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.filters import ProjectScopedFilterSet, SearchFilter
from mortgage.models import (
    FINISHED_STAGES, AgentCompany, LitigationCase, MortgageLoan, OverdueRecord, TitleCertificateCase,
)

SELECT = {"class": "form-select form-select-sm"}
TEXT = {"class": "form-control form-control-sm"}
YES_NO = [("", _("全部")), ("1", _("是")), ("0", _("否"))]


class CertificateCaseFilter(ProjectScopedFilterSet):
    q = SearchFilter("customer__name__icontains", "unit__number__icontains", "certificate_number__icontains",
                     placeholder=_("业主姓名/房号/产权证号"))
    agent = django_filters.ModelChoiceFilter(label=_("代办公司"), field_name="agreement__agent",
                                             queryset=AgentCompany.objects.all(), empty_label=_("全部代办公司"),
                                             widget=forms.Select(attrs=SELECT))
    stage = django_filters.ChoiceFilter(label=_("阶段"), choices=TitleCertificateCase.Stage.choices,
                                        empty_label=_("全部阶段"), widget=forms.Select(attrs=SELECT))
    late = django_filters.ChoiceFilter(label=_("超期"), choices=YES_NO[1:], empty_label=_("全部"), method="filter_late",
                                       widget=forms.Select(attrs=SELECT))

    class Meta:
        model = TitleCertificateCase
        fields = ["q", "project", "agent", "stage", "late"]

    def filter_late(self, queryset, name, value):
        late = Q(due_date__lt=timezone.localdate()) & ~Q(stage__in=FINISHED_STAGES)
        return queryset.filter(late) if value == "1" else queryset.exclude(late)


class OverdueRecordFilter(ProjectScopedFilterSet):
    q = SearchFilter("customer__name__icontains", "loan__loan_number__icontains", "loan__unit__number__icontains",
                     placeholder=_("业主姓名/贷款编号/房号"))
    status = django_filters.ChoiceFilter(label=_("状态"), choices=OverdueRecord.Status.choices, empty_label=_("全部"),
                                         widget=forms.Select(attrs=SELECT))
    litigation = django_filters.ChoiceFilter(label=_("须诉讼"), field_name="litigation_required", choices=YES_NO[1:],
                                             empty_label=_("全部"), widget=forms.Select(attrs=SELECT))
    bank = django_filters.CharFilter(label=_("银行"), field_name="loan__bank", lookup_expr="icontains",
                                     widget=forms.TextInput(attrs=TEXT))

    class Meta:
        model = OverdueRecord
        fields = ["q", "project", "status", "litigation", "bank"]


class LitigationCaseFilter(django_filters.FilterSet):
    q = SearchFilter("number__icontains", "record__customer__name__icontains", "court_case_number__icontains",
                     placeholder=_("案件编号/业主/案号"))
    stage = django_filters.ChoiceFilter(label=_("阶段"), choices=LitigationCase.Stage.choices, empty_label=_("全部阶段"),
                                        widget=forms.Select(attrs=SELECT))

    class Meta:
        model = LitigationCase
        fields = ["q", "stage"]


class MortgageLoanFilter(ProjectScopedFilterSet):
    q = SearchFilter("loan_number__icontains", "customer__name__icontains", "unit__number__icontains",
                     placeholder=_("贷款编号/业主姓名/房号"))
    bank = django_filters.CharFilter(label=_("银行"), field_name="bank", lookup_expr="icontains",
                                     widget=forms.TextInput(attrs=TEXT))
    guarantee = django_filters.ChoiceFilter(label=_("开发商担保"), field_name="guarantee_active",
                                            choices=[("1", _("有效")), ("0", _("已撤销"))], empty_label=_("全部"),
                                            widget=forms.Select(attrs=SELECT))

    class Meta:
        model = MortgageLoan
        fields = ["q", "project", "bank", "guarantee"]
