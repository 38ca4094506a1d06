"""Input validation only; every write is a service."""
from django import forms
from django.utils.translation import gettext_lazy as _

from clubs.models import ClubActivity, ClubMember, OwnerForum, PointsEntry
from crm.forms import ScopedChoicesMixin, date_input, datetime_input
from crm.uploads import validate_upload


def validate_photo(upload):
    """Size and type (extension and the file's first bytes) of an activity photo."""
    return validate_upload(upload, "image", label=_("照片"))


def _w(widget_class=forms.TextInput, **attrs):
    css = "form-select" if widget_class in (forms.Select, forms.SelectMultiple) else "form-control"
    return widget_class(attrs={"class": css, **attrs})


def _date(**kw):
    return forms.DateField(widget=date_input(**{"class": "form-control"}), **kw)


def _datetime(**kw):
    return forms.DateTimeField(widget=datetime_input(**{"class": "form-control"}), **kw)


def _text(rows=3, **kw):
    return forms.CharField(widget=_w(forms.Textarea, rows=rows), **kw)


class ForumPlanForm(ScopedChoicesMixin, forms.Form):
    title = forms.CharField(label=_("座谈会名称"), max_length=100, widget=_w())
    kind = forms.ChoiceField(label=_("类型"), choices=OwnerForum.Kind.choices, widget=_w(forms.Select))
    topic = forms.CharField(label=_("专题"), max_length=100, required=False, widget=_w())
    purpose = _text(label=_("目的"))
    project = forms.ModelChoiceField(label=_("项目"), queryset=None, required=False, empty_label=_("全公司"),
                                     widget=_w(forms.Select))
    planned_at = _datetime(label=_("计划时间"))
    location = forms.CharField(label=_("地点"), max_length=100, required=False, widget=_w())
    format = forms.ChoiceField(label=_("形式"), choices=OwnerForum.Format.choices, widget=_w(forms.Select))
    budget = forms.DecimalField(label=_("预算(元)"), min_value=0, max_digits=10, decimal_places=2, widget=_w(forms.NumberInput))
    capacity = forms.IntegerField(label=_("业主端报名名额（留空不限）"), min_value=1, max_value=10000, required=False,
                                  widget=_w(forms.NumberInput))
    signup_deadline = _datetime(label=_("报名截止（留空则召开前均可）"), required=False)

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects

    def clean(self):
        data = super().clean()
        if data.get("kind") == OwnerForum.Kind.TOPIC and not data.get("topic"):
            self.add_error("topic", _("专题座谈会请填写专题。"))
        return data


class DecisionForm(forms.Form):
    comment = forms.CharField(label=_("审批意见"), required=False, widget=_w(forms.Textarea, rows=2))


class ChecklistForm(forms.Form):
    text = forms.CharField(label=_("准备事项"), max_length=200, widget=_w(placeholder=_("新增准备事项，如：准备茶歇")))


class HoldForm(forms.Form):
    held_at = _datetime(label=_("召开时间"))
    attendance = forms.IntegerField(label=_("实到人数"), min_value=0, required=False, widget=_w(forms.NumberInput),
                                    help_text=_("留空则按勾选的出席业主计数"))
    minutes = _text(rows=6, label=_("座谈会记录"))


class OpinionForm(ScopedChoicesMixin, forms.Form):
    theme = forms.ChoiceField(label=_("主题"), choices=(), widget=_w(forms.Select))
    customer = forms.ModelChoiceField(label=_("提出业主"), queryset=None, required=False, empty_label=_("（非参会业主，请填写发言人）"),
                                      widget=_w(forms.Select))
    speaker = forms.CharField(label=_("发言人"), max_length=50, required=False, widget=_w())
    text = _text(label=_("意见内容"))

    def __init__(self, *args, customers, **kwargs):
        from complaints.models import Category

        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = Category.choices
        self.fields["customer"].queryset = customers


class AnalysisForm(forms.Form):
    analysis = _text(rows=4, label=_("分析结论"))


class ResultUseForm(forms.Form):
    result_use = forms.ChoiceField(label=_("结果应用"), choices=OwnerForum.ResultUse.choices, widget=_w(forms.Select))
    follow_up = _text(label=_("跟进措施"))
    follow_up_due = _date(label=_("跟进期限"), required=False)


class FollowUpDoneForm(forms.Form):
    result = _text(label=_("跟进结果"))


class ClubPlanForm(ScopedChoicesMixin, forms.Form):
    name = forms.CharField(label=_("客户会名称"), max_length=50, widget=_w(placeholder=_("阳光·XX会")))
    project = forms.ModelChoiceField(label=_("项目"), queryset=None, required=False, empty_label=_("全公司"),
                                     widget=_w(forms.Select))
    founding_plan = _text(rows=5, label=_("成立方案"))
    rules = _text(rows=5, label=_("章程(草案)"), required=False)

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects


class FoundForm(forms.Form):
    founded_on = _date(label=_("成立日期"))
    rules = _text(rows=5, label=_("章程"))


class EnrollForm(ScopedChoicesMixin, forms.Form):
    customer = forms.ModelChoiceField(label=_("业主"), queryset=None, empty_label=_("请选择业主"), widget=_w(forms.Select))
    level = forms.ChoiceField(label=_("会员等级"), choices=ClubMember.Level.choices, widget=_w(forms.Select))
    joined_on = _date(label=_("入会日期"))
    referred_by = forms.ModelChoiceField(label=_("推荐人"), queryset=None, required=False, empty_label=_("无"),
                                         widget=_w(forms.Select))

    def __init__(self, *args, customers, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers
        self.fields["referred_by"].queryset = members


class MemberForm(forms.Form):
    level = forms.ChoiceField(label=_("会员等级"), choices=ClubMember.Level.choices, widget=_w(forms.Select))
    status = forms.ChoiceField(label=_("状态"), choices=ClubMember.Status.choices, widget=_w(forms.Select))


class EarnForm(forms.Form):
    kind = forms.ChoiceField(label=_("获得方式"), widget=_w(forms.Select),
                             choices=[(k.value, k.label) for k in PointsEntry.EARN_KINDS])
    reason = forms.CharField(label=_("事由"), max_length=200, widget=_w())


class RedeemForm(forms.Form):
    kind = forms.ChoiceField(label=_("兑换方式"), widget=_w(forms.Select),
                             choices=[(k.value, k.label) for k in PointsEntry.REDEEM_KINDS])
    points = forms.IntegerField(label=_("兑换积分"), min_value=1, widget=_w(forms.NumberInput))
    reason = forms.CharField(label=_("事由(礼品/费用)"), max_length=200, widget=_w())


class ActivityPlanForm(forms.Form):
    kind = forms.ChoiceField(label=_("计划类型"), choices=ClubActivity.Kind.choices, widget=_w(forms.Select))
    title = forms.CharField(label=_("活动名称"), max_length=100, widget=_w())
    period_start = _date(label=_("开始日期"))
    period_end = _date(label=_("结束日期"))
    purpose = _text(label=_("目的"))
    content = _text(label=_("内容"))
    format = forms.ChoiceField(label=_("形式"), choices=ClubActivity.Format.choices, widget=_w(forms.Select))
    budget = forms.DecimalField(label=_("预算(元)"), min_value=0, max_digits=10, decimal_places=2, widget=_w(forms.NumberInput))

    def clean(self):
        data = super().clean()
        if data.get("period_start") and data.get("period_end") and data["period_end"] < data["period_start"]:
            self.add_error("period_end", _("结束日期不能早于开始日期。"))
        return data


class MultiFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiPhotoField(forms.FileField):
    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        return [validate_photo(super(MultiPhotoField, self).clean(f, initial)) for f in files]


class CarryOutForm(ScopedChoicesMixin, forms.Form):
    held_on = _date(label=_("开展日期"))
    attendees = forms.ModelMultipleChoiceField(label=_("参加会员(获得参加活动积分)"), queryset=None, required=False,
                                               widget=_w(forms.SelectMultiple, size=6))
    attendance = forms.IntegerField(label=_("参加人数"), min_value=0, required=False, widget=_w(forms.NumberInput),
                                    help_text=_("留空则按所选会员计数"))
    spend = forms.DecimalField(label=_("实际支出(元)"), min_value=0, max_digits=10, decimal_places=2,
                               widget=_w(forms.NumberInput))
    record = _text(rows=5, label=_("活动记录"))
    photos = MultiPhotoField(label=_("活动照片"), required=False,
                             widget=MultiFileInput(attrs={"class": "form-control", "accept": "image/*"}))

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = members


class EvaluationForm(forms.Form):
    score = forms.IntegerField(label=_("评估得分(0-100)"), min_value=0, max_value=100, widget=_w(forms.NumberInput))
    what_worked = _text(label=_("成功之处"), required=False)
    to_improve = _text(label=_("待改进"), required=False)


class ImprovementForm(forms.Form):
    description = forms.CharField(label=_("改进措施"), max_length=200, widget=_w())
    owner = forms.CharField(label=_("责任人"), max_length=50, required=False, widget=_w())
    due_date = _date(label=_("完成期限"), required=False)
