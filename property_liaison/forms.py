"""Input validation only; every write is a service."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.forms import ScopedChoicesMixin, date_input
from crm.uploads import validate_upload as check_upload
from crm.validators import not_in_future
from property_liaison.models import (
    ActionItem, Area, Cadence, CoordinationMeeting, Inspection, RepairRequest, WarrantyCategory,
)


def validate_upload(upload):
    """Size and type (extension and the file's first bytes) of a photo or evidence file."""
    return check_upload(upload, "document")


def _w(widget_class=forms.TextInput, **attrs):
    css = "form-select" if widget_class is forms.Select else "form-control"
    return widget_class(attrs={"class": css, **attrs})


def _date(**kw):
    return forms.DateField(widget=date_input(**{"class": "form-control"}), **kw)


def _happened(label, **kw):
    """A date of something that has happened: never in the future (crm.validators)."""
    return _date(label=label, validators=[not_in_future(label)], **kw)


class ProjectForm(forms.Form):
    def __init__(self, *args, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects


class MeetingForm(ScopedChoicesMixin, ProjectForm):
    project = forms.ModelChoiceField(queryset=None, label=_("项目"), widget=_w(forms.Select))
    date = _happened(_("协调日期"))
    form = forms.ChoiceField(choices=CoordinationMeeting.Form.choices, label=_("协调形式"), widget=_w(forms.Select))
    attendees = forms.CharField(max_length=300, label=_("参加人员"), widget=_w())
    minutes = forms.CharField(label=_("会议纪要"), widget=_w(forms.Textarea, rows=5))
    issues_raised = forms.CharField(required=False, label=_("提出的问题"), widget=_w(forms.Textarea, rows=3))


class ActionItemForm(forms.Form):
    description = forms.CharField(max_length=300, label=_("事项"), widget=_w())
    party = forms.ChoiceField(choices=ActionItem.Party.choices, label=_("责任方"), widget=_w(forms.Select))
    assignee = forms.CharField(max_length=50, label=_("责任人"), widget=_w())
    due_date = _date(label=_("完成期限"))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("处理答复"), widget=_w(forms.Textarea, rows=3))
    evidence = forms.FileField(required=False, label=_("佐证材料(照片/PDF)"), validators=[validate_upload],
                               widget=forms.ClearableFileInput(attrs={"class": "form-control"}))


class NoteForm(forms.Form):
    note = forms.CharField(required=False, max_length=300, label=_("意见"), widget=_w())


class CadenceForm(forms.Form):
    cadence = forms.ChoiceField(choices=Cadence.choices, label=_("协调频次"), widget=_w(forms.Select))
    note = forms.CharField(required=False, max_length=200, label=_("说明"), widget=_w())


class InspectionForm(ScopedChoicesMixin, ProjectForm):
    project = forms.ModelChoiceField(queryset=None, label=_("项目"), widget=_w(forms.Select))
    kind = forms.ChoiceField(choices=Inspection.Kind.choices, label=_("检查类型"), widget=_w(forms.Select))
    date = _happened(_("检查日期"))
    summary = forms.CharField(required=False, label=_("检查情况"), widget=_w(forms.Textarea, rows=3))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for area, label in Area.choices:
            self.fields[f"score_{area}"] = forms.IntegerField(
                min_value=0, max_value=100, required=False, label=_("%(area)s得分(0-100)") % {"area": label},
                widget=_w(forms.NumberInput), error_messages={"max_value": _("得分不能超过 100。"),
                                                              "min_value": _("得分不能小于 0。")})
            self.fields[f"note_{area}"] = forms.CharField(required=False, max_length=200, label=_("%(area)s扣分说明") % {"area": label},
                                                          widget=_w())

    def clean(self):
        data = super().clean()
        if not any(data.get(f"score_{area}") is not None for area in Area.values):
            raise forms.ValidationError(_("请至少为一个区域打分。"))
        return data

    def scores(self):
        return {area: (self.cleaned_data[f"score_{area}"], self.cleaned_data.get(f"note_{area}", ""))
                for area in Area.values if self.cleaned_data.get(f"score_{area}") is not None}


class FindingForm(forms.Form):
    area = forms.ChoiceField(choices=Area.choices, label=_("检查区域"), widget=_w(forms.Select))
    description = forms.CharField(label=_("发现的问题"), widget=_w(forms.Textarea, rows=3))
    photo = forms.FileField(required=False, label=_("照片"), validators=[validate_upload],
                            widget=forms.ClearableFileInput(attrs={"class": "form-control"}))
    requirement = forms.CharField(required=False, max_length=300, label=_("整改要求(填写即下发整改)"), widget=_w())
    deadline = _date(required=False, label=_("整改期限"))

    def clean(self):
        data = super().clean()
        if data.get("requirement") and not data.get("deadline"):
            self.add_error("deadline", _("下发整改时请填写整改期限。"))
        return data


class CommitteeStepForm(forms.Form):
    step = forms.ChoiceField(choices=[], label=_("步骤"), widget=_w(forms.Select))
    on = _happened(_("日期"), initial=timezone.localdate)
    note = forms.CharField(required=False, label=_("说明"), widget=_w(forms.Textarea, rows=2))

    def __init__(self, *args, transitions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = [(t.name, t.label) for t in transitions if t.name != "replaced"]


class CommitteeNoticeForm(forms.Form):
    on = _happened(_("书面报告日期"))


class ReplacementForm(forms.Form):
    on = _happened(_("置换日期"))
    new_company_name = forms.CharField(max_length=100, label=_("接管的物业公司"), widget=_w())


class RepairForm(ScopedChoicesMixin, forms.Form):
    unit = forms.ModelChoiceField(queryset=None, label=_("房号"), widget=_w(forms.Select))
    category = forms.ModelChoiceField(queryset=WarrantyCategory.objects.all(), label=_("保修类别"),
                                      widget=_w(forms.Select))
    source = forms.ChoiceField(choices=RepairRequest.Source.choices, label=_("来源"), widget=_w(forms.Select))
    case_reference = forms.CharField(required=False, max_length=30, label=_("案件编号"), widget=_w())
    location = forms.CharField(max_length=100, label=_("部位"), widget=_w())
    description = forms.CharField(label=_("问题描述"), widget=_w(forms.Textarea, rows=3))
    reported_on = _happened(_("报修日期"), initial=timezone.localdate)
    photo = forms.FileField(required=False, label=_("照片"), validators=[validate_upload],
                            widget=forms.ClearableFileInput(attrs={"class": "form-control"}))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda u: f"{u.project.name} {u.building.name} {u.number}"


class RepairAssignForm(forms.Form):
    assignee = forms.CharField(max_length=60, label=_("维修单位/人"), widget=_w())
    due_date = _date(label=_("完成期限"))


class RepairDoneForm(forms.Form):
    on = _happened(_("日期"), initial=timezone.localdate)
    note = forms.CharField(required=False, max_length=300, label=_("情况说明"), widget=_w())


