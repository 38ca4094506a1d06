"""Input validation of the mortgage pages (Chinese messages); writes happen in services."""
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.forms import ScopedChoicesMixin, date_input
from crm.roles import Role
from crm.scopes import role_users
from crm.validators import not_in_future
from mortgage.models import AgencyAgreement, AgentCompany, CollectionReminder, MortgageLoan

DATE = date_input(**{"class": "form-control"})
TEXT = {"class": "form-control"}


def _style(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, (forms.Select,)):
            widget.attrs.setdefault("class", "form-select")
        elif isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        else:
            widget.attrs.setdefault("class", "form-control")
        if isinstance(widget, forms.Textarea):
            widget.attrs.setdefault("rows", 3)


class AgentCompanyForm(forms.ModelForm):
    class Meta:
        model = AgentCompany
        fields = ["name", "contact_person", "phone", "email", "address", "rating", "active", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class AgreementForm(forms.ModelForm):
    class Meta:
        model = AgencyAgreement
        fields = ["agent", "project", "scope", "fee_per_case", "total_fee", "signed_on", "days_submit", "days_file",
                  "days_issue", "days_mortgage", "days_release"]
        widgets = {"signed_on": DATE}

    def __init__(self, *args, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = AgentCompany.objects.filter(active=True)
        self.fields["agent"].empty_label = _("请选择代办公司")
        self.fields["project"].empty_label = _("请选择项目")
        if projects is not None:
            self.fields["project"].queryset = projects
        self.fields["signed_on"].validators.append(not_in_future(_("签订日期")))
        _style(self)


class LoanForm(ScopedChoicesMixin, forms.ModelForm):
    """A loan is registered for one owner of one unit: the borrower is picked as an ownership."""

    ownership = forms.ModelChoiceField(label=_("房号 / 业主"), queryset=None,
                                       widget=forms.Select(attrs={"class": "form-select"}),
                                       error_messages={"required": _("请选择房号和业主。")})

    class Meta:
        model = MortgageLoan
        fields = ["loan_number", "bank", "amount", "term_months", "start_date"]
        widgets = {"start_date": DATE}

    def __init__(self, *args, projects=None, **kwargs):
        from owners.models import Ownership

        super().__init__(*args, **kwargs)
        self.fields["ownership"].queryset = (
            Ownership.objects.filter(unit__project__in=projects, kind__in=[Ownership.Kind.OWNER, Ownership.Kind.CO_OWNER])
            .select_related("unit__project", "unit__building", "customer")
            .order_by("unit__project__name", "unit__building__name", "unit__number", "customer__name"))
        self.fields["ownership"].label_from_instance = (
            lambda o: f"{o.unit.project.name} {o.unit} · {o.customer.name}（{o.get_kind_display()}）")
        self.fields["ownership"].empty_label = _("请选择房号 / 业主")
        self.order_fields(["ownership", "loan_number", "bank", "amount", "term_months", "start_date"])
        self.fields["start_date"].validators.append(not_in_future(_("放款日期")))
        _style(self)

    def clean_amount(self):
        value = self.cleaned_data["amount"]
        if value is not None and value <= 0:
            raise forms.ValidationError(_("贷款金额须大于 0。"))
        return value

    def clean_term_months(self):
        value = self.cleaned_data["term_months"]
        if value is not None and value <= 0:
            raise forms.ValidationError(_("贷款期限须大于 0 个月。"))
        return value



class DecideForm(forms.Form):
    comment = forms.CharField(label=_("审批意见"), required=False, widget=forms.Textarea(attrs={"rows": 2, **TEXT}))


class CertificateBulkForm(ScopedChoicesMixin, forms.Form):
    project = forms.ModelChoiceField(label=_("项目"), queryset=None, widget=forms.Select(attrs={"class": "form-select"}))
    agreement = forms.ModelChoiceField(label=_("代办协议"), required=False, queryset=None,
                                       widget=forms.Select(attrs={"class": "form-select"}),
                                       help_text=_("约定时限按该协议计算"))
    collected_on = forms.DateField(label=_("材料收齐日期"), widget=DATE, initial=timezone.localdate,
                                   validators=[not_in_future(_("材料收齐日期"))])

    def __init__(self, *args, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        self.fields["project"].empty_label = _("请选择项目")
        self.fields["agreement"].empty_label = _("暂不指定（无约定时限）")
        self.fields["agreement"].queryset = AgencyAgreement.objects.filter(
            project__in=projects, status=AgencyAgreement.Status.ACTIVE).select_related("agent", "project")

    def clean(self):
        data = super().clean()
        agreement, project = data.get("agreement"), data.get("project")
        if agreement and project and agreement.project_id != project.pk:
            self.add_error("agreement", _("所选协议不属于该项目。"))
        return data


class CertificateAdvanceForm(forms.Form):
    on = forms.DateField(label=_("日期"), widget=DATE, initial=timezone.localdate, validators=[not_in_future(_("日期"))])
    certificate_number = forms.CharField(label=_("产权证号"), required=False, max_length=50,
                                         widget=forms.TextInput(attrs=TEXT))
    certificate_date = forms.DateField(label=_("出证日期"), required=False, widget=DATE,
                                       validators=[not_in_future(_("出证日期"))])


class ChaseForm(forms.Form):
    result = forms.CharField(label=_("督促结果"), widget=forms.Textarea(attrs={"rows": 2, **TEXT}))
    next_date = forms.DateField(label=_("下次督促日期"), required=False, widget=DATE)


class OverdueUploadForm(forms.Form):
    file = forms.FileField(label=_("逾期名单(.xlsx)"), widget=forms.ClearableFileInput(
        attrs={"class": "form-control", "accept": ".xlsx"}),
        help_text=_("第 1 行为表头：业主姓名、身份证号、房号、贷款编号、银行、逾期金额、逾期起始日、逾期期数、银行建议诉讼"))
    report_date = forms.DateField(label=_("报表日期"), widget=DATE, initial=timezone.localdate,
                                  validators=[not_in_future(_("报表日期"))])


class ReminderForm(forms.ModelForm):
    class Meta:
        model = CollectionReminder
        fields = ["method", "summary", "promise", "promised_date", "next_follow_up"]
        widgets = {"promised_date": DATE, "next_follow_up": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [("", _("请选择催缴方式")), *CollectionReminder.Method.choices]
        _style(self)


class HandoverForm(ScopedChoicesMixin, forms.Form):
    assignee = forms.ModelChoiceField(label=_("承办法务"), queryset=None,
                                      widget=forms.Select(attrs={"class": "form-select"}))
    dossier_note = forms.CharField(label=_("案卷说明"), widget=forms.Textarea(attrs={"rows": 3, **TEXT}),
                                   help_text=_("催缴经过、合同与对账单情况；催缴记录随案卷一并移交"))
    contract_file = forms.FileField(label=_("按揭合同扫描件"), required=False,
                                    widget=forms.ClearableFileInput(attrs=TEXT))
    statement_file = forms.FileField(label=_("银行对账单/逾期证明"), required=False,
                                     widget=forms.ClearableFileInput(attrs=TEXT))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = role_users(Role.LEGAL)
        self.fields["assignee"].empty_label = _("请选择承办法务")
        self.fields["assignee"].label_from_instance = lambda u: u.get_full_name() or u.username

    def clean(self):
        from django.conf import settings

        data = super().clean()
        for name in ("contract_file", "statement_file"):
            f = data.get(name)
            if f and f.size > settings.UPLOAD_MAX_BYTES:
                self.add_error(name, _("文件过大。"))
            elif f and (not f.name.lower().endswith((".pdf", ".jpg", ".jpeg", ".png")) or not _sniff_ok(f)):
                self.add_error(name, _("只接受 PDF 或图片（jpg、png）。"))
        return data


class LitigationAdvanceForm(forms.Form):
    on = forms.DateField(label=_("日期"), widget=DATE, initial=timezone.localdate, validators=[not_in_future(_("日期"))])
    court = forms.CharField(label=_("受理法院"), required=False, max_length=100, widget=forms.TextInput(attrs=TEXT))
    court_case_number = forms.CharField(label=_("案号"), required=False, max_length=60,
                                        widget=forms.TextInput(attrs=TEXT))
    outcome = forms.CharField(label=_("结果说明"), required=False, widget=forms.Textarea(attrs={"rows": 2, **TEXT}))


def _sniff_ok(uploaded) -> bool:
    uploaded.seek(0)
    head = uploaded.read(8)
    uploaded.seek(0)
    return head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8"))
