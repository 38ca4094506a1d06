"""Input validation only; the services decide what is allowed."""
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from crm.calendar import calendar
from crm.forms import ScopedChoicesMixin, datetime_input
from crm.models import Department

from .models import Category, Channel, CorrectiveAction, Kind, Severity
from .sla import received_at_problem

ALLOWED_TYPES = {
    ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff", ".png": b"\x89PNG", ".pdf": b"%PDF",
    ".docx": b"PK\x03\x04", ".xlsx": b"PK\x03\x04", ".mp3": None, ".m4a": None,
}


def _dt(label, required=False):
    return forms.DateTimeField(label=label, required=required, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                               widget=datetime_input(**{"class": "form-control"}))


def _text(label, required=True, rows=3):
    return forms.CharField(label=label, required=required,
                           widget=forms.Textarea(attrs={"rows": rows, "class": "form-control"}))


def validate_upload(upload):
    """Size limit and type by extension and by the file's first bytes."""
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise forms.ValidationError(
            gettext("文件不能超过 {size} MB。").format(size=settings.UPLOAD_MAX_BYTES // (1024 * 1024)))
    name = upload.name.lower()
    ext = name[name.rfind("."):] if "." in name else ""
    if ext not in ALLOWED_TYPES:
        raise forms.ValidationError(_("只能上传图片(jpg/png)、PDF、Word/Excel(docx/xlsx)或录音(mp3/m4a)。"))
    magic = ALLOWED_TYPES[ext]
    if magic:
        head = upload.read(8)
        upload.seek(0)
        if not head.startswith(magic):
            raise forms.ValidationError(_("文件内容与扩展名不符。"))
    return upload


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect)):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)


class RegisterForm(ScopedChoicesMixin, StyledForm):
    owner_unit = forms.ChoiceField(label=_("业主及房号"), required=False, widget=forms.RadioSelect)
    received_at = _dt(_("受理时间"))
    complainant_name = forms.CharField(label=_("投诉人姓名"), max_length=50, required=False)
    complainant_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    project = forms.ModelChoiceField(label=_("项目"), queryset=None, required=False,
                                     help_text=_("未选择业主时必填"))
    kind = forms.ChoiceField(label=_("类型"), choices=Kind.choices)
    channel = forms.ChoiceField(label=_("渠道"), choices=Channel.choices)
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    title = forms.CharField(label=_("摘要"), max_length=200)
    description = _text(_("内容"))
    needs_transfer = forms.BooleanField(label=_("首问人无法处理，须转交责任部门(10分钟内)"), required=False)
    owner_requested_by = _dt(_("业主要求完成时间"))
    promised_by = _dt(_("承诺答复时间(需求/建议)"))
    attachment = forms.FileField(label=_("附件"), required=False, validators=[validate_upload])
    # Set by the likely-duplicates list (static/complaints/similar.js): the case whose event this one joins.
    same_event_as = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, projects, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        now = timezone.localtime()
        self.fields["received_at"].initial = now.replace(second=0, microsecond=0)
        self.fields["received_at"].help_text = _("业主来电或来访的时间，默认为现在；所有时限从此时起算。")
        self.fields["received_at"].widget.attrs["max"] = now.strftime("%Y-%m-%dT%H:%M")
        self.fields["project"].queryset = projects
        self.candidates = {f"{c.pk}:{u.pk}": (c, u) for c, u in candidates}
        self.fields["owner_unit"].choices = [(key, f"{c.name} {c.phone[-4:]} — {u.project.name} {u}")
                                             for key, (c, u) in self.candidates.items()]

    def clean_received_at(self):
        """A past time, not before the previous working day; blank is now."""
        value, now = self.cleaned_data.get("received_at"), timezone.now()
        if value is None:
            return now
        problem = received_at_problem(calendar(), value, now)
        if problem:
            raise forms.ValidationError(problem)
        return value

    def clean(self):
        data = super().clean()
        key = data.get("owner_unit")
        data["customer"], data["unit"] = self.candidates.get(key, (None, None)) if key else (None, None)
        if not data["customer"]:
            if not data.get("complainant_name") or not data.get("complainant_phone"):
                raise forms.ValidationError(_("请选择查到的业主，或填写投诉人姓名和联系电话。"))
            if not data.get("project"):
                self.add_error("project", _("未选择业主时请选择项目。"))
        return data


class ForwardForm(ScopedChoicesMixin, StyledForm):
    """What a property company fills in to forward an owner's complaint."""

    project = forms.ModelChoiceField(label=_("项目"), queryset=None)
    complainant_name = forms.CharField(label=_("业主姓名"), max_length=50)
    complainant_phone = forms.CharField(label=_("联系电话"), max_length=20)
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    title = forms.CharField(label=_("摘要"), max_length=200)
    description = _text(_("内容"))

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects


class AttachmentForm(StyledForm):
    file = forms.FileField(label=_("附件"), validators=[validate_upload])


# --- One form per transition -----------------------------------------------------------------


class TransferForm(ScopedChoicesMixin, StyledForm):
    department = forms.ModelChoiceField(label=_("责任部门"), queryset=Department.objects.all(), required=False)
    handler = forms.ModelChoiceField(label=_("处理人"), queryset=get_user_model().objects.filter(
        is_active=True, profile__role__in=["cs_staff", "cs_supervisor", "project_dept"]), required=False)
    note = forms.CharField(label=_("说明"), required=False)


class ClassifyValidForm(StyledForm):
    severity = forms.ChoiceField(label=_("严重程度"), choices=Severity.choices)
    reason = forms.CharField(label=_("界定依据"), required=False)


class ClassifyInvalidForm(StyledForm):
    reason = _text(_("向业主的解释说明"))


class InvestigateForm(StyledForm):
    cause = _text(_("原因分析"))
    responsibility = _text(_("责任认定"), rows=2)


class PlanForm(StyledForm):
    content = _text(_("处置方案"), rows=5)


class DecideForm(StyledForm):
    comment = _text(_("审批意见"), required=False)


class RejectForm(StyledForm):
    comment = _text(_("驳回意见(必填)"))


class NegotiationForm(StyledForm):
    owner_opinion = _text(_("业主意见"))


class ExecuteForm(StyledForm):
    result = _text(_("处置及检查结果"))


class FeedbackForm(StyledForm):
    feedback = _text(_("反馈内容"))
    owner_opinion = _text(_("业主意见"), required=False)


class CorrectionForm(StyledForm):
    method = forms.ChoiceField(label=_("方式"), choices=CorrectiveAction.Method.choices)
    departments = forms.CharField(label=_("相关部门"), max_length=200)
    action = _text(_("纠正和预防措施"))


class VerifyForm(StyledForm):
    verification = _text(_("验证结果"))


class ReturnVisitForm(StyledForm):
    handled = forms.BooleanField(label=_("问题已处理"), required=False)
    satisfaction = forms.TypedChoiceField(label=_("满意度"), coerce=int, choices=[
        (5, _("5 非常满意")), (4, _("4 满意")), (3, _("3 一般")), (2, _("2 不满意")), (1, _("1 非常不满意"))])
    more_needs = _text(_("其他需求"), required=False, rows=2)


class ReplyForm(StyledForm):
    reply = _text(_("答复内容"))


class ReopenForm(StyledForm):
    reason = _text(_("重新处理的原因"))


class NoteForm(StyledForm):
    note = forms.CharField(label=_("备注"), required=False)


class EmptyForm(StyledForm):
    pass


class PauseForm(StyledForm):
    reason = forms.CharField(label=_("暂停原因"), max_length=200)


class ExtensionForm(StyledForm):
    reason = _text(_("延期原因"), rows=2)
    new_deadline = _dt(_("新的截止时间"), required=True)
