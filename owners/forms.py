from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from crm.forms import date_input, datetime_input
from crm.uploads import validate_upload
from crm.validators import not_in_future
from owners.models import ContactLog, Customer, CustomerVisit, PreferenceProfile, SurveyScore, UnitDocument
from owners.validators import normalize_id, normalize_phone, validate_id_number, validate_phone


def _bootstrap(form):
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class CustomerForm(forms.ModelForm):
    confirm_duplicate = forms.BooleanField(label=_("已核对，确认不是重复客户"), required=False)

    class Meta:
        model = Customer
        fields = ["name", "gender", "birth_date", "id_number", "phone", "phone_alt", "email", "occupation", "address",
                  "project", "stage", "source", "online", "confidential", "need_area", "need_layout", "budget"]
        widgets = {"birth_date": date_input()}

    PHONE_FIELDS = ("phone", "phone_alt")
    IDENTITY_FIELDS = ("id_number",)

    def __init__(self, *args, projects=None, hide_phones=False, hide_identity=False, **kwargs):
        """``hide_phones`` / ``hide_identity``: editing someone whose full phones / ID number this
        user may not see (owners.masking): the form would show them in its inputs, so those
        fields are left out and stay as they are."""
        super().__init__(*args, **kwargs)
        if projects is not None:
            self.fields["project"].queryset = projects
        hidden = (self.PHONE_FIELDS if hide_phones else ()) + (self.IDENTITY_FIELDS if hide_identity else ())
        for name in hidden:
            del self.fields[name]
        _bootstrap(self)

    def clean_phone(self):
        value = normalize_phone(self.cleaned_data["phone"])
        validate_phone(value)
        return value

    def clean_phone_alt(self):
        value = normalize_phone(self.cleaned_data.get("phone_alt", ""))
        if value:
            validate_phone(value)
        return value

    def clean_id_number(self):
        value = normalize_id(self.cleaned_data.get("id_number", ""))
        if value:
            validate_id_number(value)
        return value

    def customer_data(self):
        return {k: v for k, v in self.cleaned_data.items() if k != "confirm_duplicate"}


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("调阅原因"), max_length=300, min_length=2,
                             widget=forms.TextInput(attrs={"class": "form-control",
                                                           "placeholder": _("例如：处理投诉需要了解客户偏好")}),
                             error_messages={"required": _("请填写调阅原因。"), "min_length": _("请填写调阅原因。")})


class AccessRequestForm(ReasonForm):
    code = forms.CharField(label=_("客户编码"), max_length=20,
                           widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "C000001"}))


class ContactLogForm(forms.ModelForm):
    occurred_at = forms.DateTimeField(
        label=_("来电来访时间"), required=False, help_text=_("留空即为现在；补登时填写实际时间。"),
        widget=datetime_input(),
        error_messages={"invalid": _("请填写有效的日期和时间。")}, validators=[not_in_future(_("来电来访时间"))])

    class Meta:
        model = ContactLog
        fields = ["kind", "occurred_at", "need", "answer", "follow_up"]
        widgets = {"need": forms.Textarea(attrs={"rows": 3}), "answer": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need"].error_messages["required"] = _("请填写客户需求。")
        _bootstrap(self)


# A 1-5 score, best first, as the paper forms list it.
SCORES = [("", "—")] + [(i, format_lazy(_("{score} 分"), score=i)) for i in range(5, 0, -1)]


class VisitForm(forms.ModelForm):
    satisfaction = forms.TypedChoiceField(label=_("满意度"), required=False, coerce=int, empty_value=None,
                                          choices=SCORES)

    class Meta:
        model = CustomerVisit
        fields = ["visited_on", "method", "opinions", "satisfaction"]
        widgets = {"visited_on": date_input(),
                   "opinions": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = PreferenceProfile
        fields = ["anniversary", "allergies", "dietary", "likes", "dislikes", "language", "special_requests",
                  "previous_complaints"]
        widgets = {"anniversary": date_input(),
                   **{f: forms.Textarea(attrs={"rows": 2}) for f in
                      ["likes", "dislikes", "special_requests", "previous_complaints"]}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class UnitDocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("资料"), choices=UnitDocument.Kind.choices)
    received_on = forms.DateField(label=_("收到日期"), widget=date_input(),
                                  validators=[not_in_future(_("收到日期"))])
    scan = forms.FileField(label=_("扫描件"), required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def clean_scan(self):
        return validate_upload(self.cleaned_data.get("scan"), "document", label=_("扫描件")) or None


class SurveyForm(forms.Form):
    surveyed_on = forms.DateField(label=_("调查日期"), widget=date_input(),
                                  validators=[not_in_future(_("调查日期"))])
    comment = forms.CharField(label=_("意见建议"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for value, label in SurveyScore.Topic.choices:
            self.fields[f"score_{value}"] = forms.TypedChoiceField(
                label=label, required=False, coerce=int, empty_value=None,
                choices=SCORES)
        _bootstrap(self)

    def scores(self):
        return {t: self.cleaned_data[f"score_{t}"] for t in SurveyScore.Topic.values
                if self.cleaned_data.get(f"score_{t}")}


class ImportForm(forms.Form):
    KIND_CHOICES = [("customers", _("客户")), ("units", _("房号")), ("ownerships", _("房产关系"))]
    kind = forms.ChoiceField(label=_("导入内容"), choices=KIND_CHOICES)
    file = forms.FileField(label=_("Excel 文件 (.xlsx)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class CareListForm(forms.Form):
    """Which care list (``?list=``): one of the lists, or none for the default (birthdays in the
    next 7 days). ``chosen()``: the list to show, the default while the value is not a list."""

    list = forms.ChoiceField(label=_("名单"), required=False,
                             error_messages={"invalid_choice": _("没有这个名单：%(value)s。")})

    def __init__(self, data=None, **kwargs):
        from owners.selectors import CARE_VIEWS

        super().__init__(data or None, **kwargs)
        self.fields["list"].choices = [("", ""), *CARE_VIEWS]
        self.default = CARE_VIEWS[0][0]

    def chosen(self) -> str:
        return (self.cleaned_data.get("list") if self.is_valid() else "") or self.default
