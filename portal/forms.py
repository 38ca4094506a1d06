"""Input validation of the portal's forms (refusals in Chinese; the services decide the rest)."""
from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .auth import normal_phone


class PhoneForm(forms.Form):
    phone = forms.CharField(label=_("手机号"), max_length=20, widget=forms.TextInput(attrs={
        "inputmode": "numeric", "autocomplete": "tel", "placeholder": _("请输入手机号")}),
        error_messages={"required": _("请输入手机号。"), "max_length": _("请输入正确的 11 位手机号码。")})

    def clean_phone(self):
        return normal_phone(self.cleaned_data["phone"])


class CodeForm(PhoneForm):
    code = forms.CharField(label=_("验证码"), max_length=6, min_length=6, widget=forms.TextInput(attrs={
        "inputmode": "numeric", "autocomplete": "one-time-code", "placeholder": _("6 位验证码")}),
        error_messages={"required": _("请输入验证码。"), "max_length": _("验证码为 6 位数字。"),
                        "min_length": _("验证码为 6 位数字。")})

    def clean_code(self):
        code = self.cleaned_data["code"]
        if not code.isascii() or not code.isdigit():
            raise ValidationError(_("验证码为 6 位数字。"))
        return code
