from django.urls import path

from owners import views

app_name = "owners"

urlpatterns = [
    path("", views.customer_list, name="customer_list"),
    path("customers/new/", views.customer_create, name="customer_create"),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("customers/<int:pk>/edit/", views.customer_edit, name="customer_edit"),
    path("customers/<int:pk>/preferences/", views.preference_open, name="preference_open"),
    path("customers/<int:pk>/preferences/edit/", views.preference_edit, name="preference_edit"),
    path("customers/<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("customers/<int:pk>/visits/new/", views.visit_create, name="visit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/documents/", views.unit_document_add, name="unit_document_add"),
    path("documents/<int:pk>/scan/", views.document_scan, name="document_scan"),
    path("access-requests/", views.access_request_list, name="access_request_list"),
    path("access-requests/new/", views.access_request_new, name="access_request_new"),
    path("access-requests/<int:pk>/decide/", views.access_request_decide, name="access_request_decide"),
]

urlpatterns += [
    path("quotas/", views.quota_report, name="quota_report"),
    path("care/", views.care_list, name="care_list"),
    path("customers/<int:pk>/greeted/", views.greeting_mark, name="greeting_mark"),
    path("surveys/", views.survey_trend, name="survey_trend"),
    path("customers/<int:pk>/surveys/new/", views.survey_create, name="survey_create"),
    path("import/", views.import_view, name="import"),
]
urlpatterns += [path("contacts/", views.contact_list, name="contact_list")]
