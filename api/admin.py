from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from crm.admin_base import CrmModelAdmin, CrmTabularInline

from . import services
from .models import EVENT_CHOICES, SCOPE_CHOICES, SystemClient, WebhookAttempt, WebhookDelivery, WebhookSubscription


class SystemClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(label=_("权限范围"), choices=SCOPE_CHOICES, required=False,
                                       widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = SystemClient
        fields = ["name", "source", "scopes", "all_projects", "projects", "rate_limit", "active"]


class SubscriptionForm(forms.ModelForm):
    url = forms.URLField(label=_("接收地址"), max_length=300, assume_scheme="https")
    events = forms.MultipleChoiceField(label=_("订阅事件"), choices=EVENT_CHOICES, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookSubscription
        fields = ["url", "secret", "events", "active"]


class SubscriptionInline(CrmTabularInline):
    model = WebhookSubscription
    form = SubscriptionForm
    extra = 0


def _show_token(request, client, token):
    """The token, once: it is not stored and cannot be shown again."""
    return TemplateResponse(request, "api/token_issued.html", {
        **admin.site.each_context(request), "client": client, "token": token, "title": _("接入令牌"),
        "opts": SystemClient._meta,
    })


@admin.register(SystemClient)
class SystemClientAdmin(CrmModelAdmin):
    form = SystemClientForm
    list_display = ["name", "source", "token_prefix", "active", "rate_limit", "last_used_at"]
    readonly_fields = ["token_prefix", "user", "last_used_at", "created_at"]
    filter_horizontal = ["projects"]
    inlines = [SubscriptionInline]
    actions = ["rotate_token"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        client, token = services.client_create(
            name=data["name"], source=data["source"], scopes=data["scopes"], all_projects=data["all_projects"],
            projects=data["projects"], rate_limit=data["rate_limit"], active=data["active"])
        # The form's instance becomes the saved client: the admin then saves its projects (save_m2m)
        # and its subscriptions on it. Without its database the projects' set() was a 500
        # ("instance is on database None") for every client of chosen projects.
        obj.pk, obj.user_id, obj._state.adding, obj._state.db, obj._issued_token = (
            client.pk, client.user_id, False, client._state.db, token)
        obj.token_hash, obj.token_prefix = client.token_hash, client.token_prefix

    def response_add(self, request, obj, post_url_continue=None):
        return _show_token(request, obj, obj._issued_token)

    @admin.action(description=_("重新生成令牌"))
    def rotate_token(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("请只选择一个接入系统。"), messages.ERROR)
            return None
        client = queryset.get()
        return _show_token(request, client, services.client_rotate_token(client=client))


class AttemptInline(CrmTabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["at", "status_code", "error"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(CrmModelAdmin):
    list_display = ["event_type", "event_id", "subscription", "status", "attempts", "last_status_code",
                    "created_at", "delivered_at"]
    list_filter = ["status", "event_type"]
    readonly_fields = [f.name for f in WebhookDelivery._meta.fields]
    inlines = [AttemptInline]
    actions = ["replay"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("重新投递"))
    def replay(self, request, queryset):
        from .outbox import delivery_replay

        count = delivery_replay(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("已重新排队投递 %(count)d 条。") % {"count": count}, messages.SUCCESS)
