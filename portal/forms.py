"""Input validation of the portal's forms (refusals in Chinese; the services decide the rest)."""
from __future__ import annotations

import re
import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from complaints.models import Category, Kind
from crm.forms import ScopedChoicesMixin, datetime_input
from crm.rules import rule_int

from .auth import normal_phone
from .services import PAGE_EXPIRED, REPORT_KINDS


class PhoneForm(forms.Form):
    phone = forms.CharField(label=_("手机号"), max_length=20, widget=forms.TextInput(attrs={
        "inputmode": "numeric", "autocomplete": "tel", "placeholder": _("请输入手机号")}),
        error_messages={"required": _("请输入手机号。"), "max_length": _("请输入正确的 11 位手机号码。"),
                        "null_characters_not_allowed": _("请输入正确的 11 位手机号码。")})

    def clean_phone(self):
        return normal_phone(self.cleaned_data["phone"])


class CodeForm(PhoneForm):
    code = forms.CharField(label=_("验证码"), max_length=6, min_length=6, widget=forms.TextInput(attrs={
        "inputmode": "numeric", "autocomplete": "one-time-code", "placeholder": _("6 位验证码")}),
        error_messages={"required": _("请输入验证码。"), "max_length": _("验证码为 6 位数字。"),
                        "null_characters_not_allowed": _("验证码为 6 位数字。"),
                        "min_length": _("验证码为 6 位数字。")})

    def clean_code(self):
        code = self.cleaned_data["code"]
        if not code.isascii() or not code.isdigit():
            raise ValidationError(_("验证码为 6 位数字。"))
        return code


def new_token() -> str:
    return secrets.token_urlsafe(16)


TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


class OnceTokenField(forms.CharField):
    """The one-time token a form's page carries (portal.models.OwnerSubmission): the same form
    posted twice makes one case, one answer, one chase. Required: a post without a valid one (a
    page opened before the forms had tokens, a forged post, a script) could not be told from a
    second post of the same form, so it is refused and writes nothing; the form is shown again with
    what the owner typed and a fresh token, to be sent once more."""

    def __init__(self, **kwargs):
        super().__init__(required=False, max_length=64, widget=forms.HiddenInput, initial=new_token, **kwargs)

    def clean(self, value):
        value = super().clean(value) if TOKEN.fullmatch(value or "") else ""
        if not value:
            raise ValidationError(PAGE_EXPIRED, code="expired")
        return value

    def bound_data(self, data, initial):
        """A refused form shown again keeps its valid token (the same form, still one case) and
        gets a fresh one for a missing or malformed token."""
        return data if TOKEN.fullmatch(data or "") else initial


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


def _photos_label() -> str:
    return gettext("照片（最多 {n} 张）").format(n=rule_int("portal.photos_per_report"))


PHOTOS_LABEL = lazy(_photos_label, str)()  # read when the form is shown: the rule may change


class PhotosField(forms.FileField):
    """Up to the rule's photos (portal.photos_per_report) from one file input (the phone's camera
    or gallery)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        from .services import check_photo_count

        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        check_photo_count(files)
        return [super(PhotosField, self).clean(f, initial) for f in files]


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.project.name} {obj}"


class ReportForm(ScopedChoicesMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), error_messages={"required": _("请选择类型。"),
                                                             "invalid_choice": _("请选择正确的类型。")})
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices,
                                 error_messages={"required": _("请选择类别。"), "invalid_choice": _("请选择正确的类别。")})
    unit = UnitChoiceField(label=_("房号"), queryset=None, empty_label=None,
                                  error_messages={"required": _("请选择房号。")})
    description = forms.CharField(label=_("问题描述"), max_length=1000, widget=forms.Textarea(attrs={"rows": 4}),
                                  error_messages={"required": _("请描述您遇到的问题。"),
                                                  "max_length": _("问题描述不能超过 1000 字。"),
                                                  "null_characters_not_allowed": _("问题描述含有无法识别的字符。")})
    photos = PhotosField(label=PHOTOS_LABEL, required=False)
    preferred_by = forms.DateTimeField(label=_("期望处理时间（可不填）"), required=False,
                                       input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                       widget=datetime_input(),
                                       error_messages={"invalid": _("请填写正确的日期和时间。")})
    token = OnceTokenField()

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["kind"].choices = [(k, Kind(k).label) for k in REPORT_KINDS]

    def clean_description(self):
        text = self.cleaned_data["description"].strip()
        if not text:
            raise ValidationError(_("请描述您遇到的问题。"))
        if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in text):
            raise ValidationError(_("问题描述含有无法识别的字符。"))
        return text


def _comment(label, required=False):
    return forms.CharField(label=label, required=required, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"max_length": _("不能超过 500 字。"), "required": _("请填写内容。"),
                                           "null_characters_not_allowed": _("含有无法识别的字符。")})


class PlanAnswerForm(forms.Form):
    agreed = forms.TypedChoiceField(label=_("您是否同意这个方案"), coerce=lambda v: v == "yes",
                                    choices=[("yes", _("同意")), ("no", _("不同意"))], widget=forms.RadioSelect,
                                    error_messages={"required": _("请选择是否同意。"),
                                                    "invalid_choice": _("请选择是否同意。")})
    comment = _comment(_("您的意见（不同意时必填）"))
    token = OnceTokenField()


class CommentForm(forms.Form):
    text = _comment(_("补充说明"))
    photos = PhotosField(label=PHOTOS_LABEL, required=False)
    token = OnceTokenField()


# Each score says what it means: a bare 1–5 read as a ranking (1 = best) to some owners.
SATISFACTION = [(5, _("很满意")), (4, _("满意")), (3, _("一般")), (2, _("不满意")), (1, _("很不满意"))]


class VisitForm(forms.Form):
    handled = forms.TypedChoiceField(label=_("问题处理了吗？"), coerce=lambda v: v == "yes",
                                     choices=[("yes", _("已处理")), ("no", _("没处理"))], widget=forms.RadioSelect,
                                     error_messages={"required": _("请选择问题是否已处理。"),
                                                     "invalid_choice": _("请选择问题是否已处理。")})
    satisfaction = forms.TypedChoiceField(label=_("您满意吗？"), coerce=int,
                                          choices=[(i, format_lazy("{} {}", i, word)) for i, word in SATISFACTION],
                                          widget=forms.RadioSelect,
                                          error_messages={"required": _("请选择满意度。"),
                                                          "invalid_choice": _("请选择满意度。")})
    more_needs = _comment(_("还有其他需要吗？"))
    token = OnceTokenField()


class ChaseForm(forms.Form):
    """催办 has nothing to type but its page's one-time token."""

    token = OnceTokenField()


class CorrectionForm(forms.Form):
    customer = forms.IntegerField(widget=forms.HiddenInput)
    text = _comment(_("需要更正的内容"), required=True)
    token = OnceTokenField()


class ChannelsForm(forms.Form):
    """消息设置: per moment, the external channels beyond the inbox (站内 always), one checkbox
    each (``<moment>-<channel>``)."""

    def __init__(self, *args, moments: dict, channels: dict, chosen: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for moment, moment_label in moments.items():
            names = []
            for channel, channel_label in channels.items():
                name = f"{moment}-{channel}"
                self.fields[name] = forms.BooleanField(label=channel_label, required=False,
                                                       initial=channel in chosen.get(moment, ()))
                names.append(name)
            self.rows.append((moment_label, names))
        self.moments, self.channels = moments, channels

    def choices(self) -> dict:
        return {m: [c for c in self.channels if self.cleaned_data.get(f"{m}-{c}")] for m in self.moments}

    def row_fields(self):
        return [(label, [self[name] for name in names]) for label, names in self.rows]
