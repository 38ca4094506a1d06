from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path
from csp.decorators import csp_update
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from . import pages, views
from .schema import SCHEMA_SETTINGS

app_name = "api"
DOCS_CSP = csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]})

urlpatterns = [
    path("schema/", login_not_required(SpectacularAPIView.as_view(custom_settings=SCHEMA_SETTINGS)), name="schema"),
    # The documentation pages under the site's CSP: Swagger UI's start script is a file of its own
    # (the split view), and both UIs style their elements inline (and Redoc renders in a worker).
    path("docs/", login_not_required(DOCS_CSP(SpectacularSwaggerSplitView.as_view(url_name="api:schema"))),
         name="docs"),
    path("docs/redoc/", login_not_required(DOCS_CSP(SpectacularRedocView.as_view(url_name="api:schema"))),
         name="redoc"),
    path("reconciliation/", pages.reconciliation, name="reconciliation"),
    path("v1/me/", views.MeView.as_view(), name="me"),
    path("v1/cases/", views.CaseList.as_view(), name="case_list"),
    path("v1/cases/<int:pk>/", views.CaseDetail.as_view(), name="case_detail"),
    path("v1/return-visits/", views.ReturnVisitList.as_view(), name="return_visit_list"),
    path("v1/surveys/", views.SurveyList.as_view(), name="survey_list"),
    path("v1/overdue-records/", views.OverdueList.as_view(), name="overdue_list"),
    path("v1/overdue-records/<int:pk>/", views.OverdueDetail.as_view(), name="overdue_detail"),
    path("v1/projects/<str:external_id>/closeout/", views.CloseoutView.as_view(), name="closeout"),
]

urlpatterns += [path(f"v1/{resource}/bulk/", view.as_view(), name=f"{resource}_bulk")
                for resource, view in views.upsert_views().items()]
urlpatterns += [path(f"v1/{resource}/", view.as_view(), name=f"{resource}_list")
                for resource, view in views.read_views().items()]

# Last: any other address under v1/ is a JSON 404 (not the staff's HTML page, nor a redirect to
# the address with its final slash, which a POST does not survive).
urlpatterns += [re_path(r"^v1/(?P<path>.*)$", views.not_found, name="not_found")]
