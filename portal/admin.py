"""The owner accounts in the admin: staff bind an owner's WeChat openid here (crm/wechat.py)."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import OwnerAccount


@admin.register(OwnerAccount)
class OwnerAccountAdmin(admin.ModelAdmin):
    list_display = ("phone", "bound_at", "last_login_at", "wechat_bound")
    search_fields = ("phone",)
    fields = ("phone", "customers", "wechat_openid", "bound_at", "last_login_at")
    readonly_fields = ("phone", "customers", "bound_at", "last_login_at")

    @admin.display(boolean=True, description=_("微信已绑定"))
    def wechat_bound(self, obj):
        return bool(obj.wechat_openid)
