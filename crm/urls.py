import importlib.util

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from crm import views

admin.site.site_header = _("客户事务部管理系统")
admin.site.site_title = _("客户事务部管理系统")
admin.site.index_title = _("系统管理")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.health, name="health"),
    path("i18n/setlang/", views.language_switch, name="set_language"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("core/", include("crm.app_urls")),
    path("admin/", admin.site.urls),
]

handler403 = "crm.views.permission_denied"

# Each workflow app mounts its pages under its own prefix once it has a urls module.
for prefix, module in [
    ("owners/", "owners.urls"),
    ("complaints/", "complaints.urls"),
    ("liaison/", "property_liaison.urls"),
    ("mortgage/", "mortgage.urls"),
    ("clubs/", "clubs.urls"),
    ("api/", "api.urls"),
    ("m/", "portal.urls"),  # the owner portal (crm.middleware.PORTAL_PREFIX)
]:
    if importlib.util.find_spec(module):
        urlpatterns.append(path(prefix, include(module)))
