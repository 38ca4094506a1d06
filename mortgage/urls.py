from django.urls import path

from mortgage import views

app_name = "mortgage"

urlpatterns = [
    path("certificates/", views.certificate_list, name="certificate_list"),
    path("certificates/create/", views.certificate_bulk_create, name="certificate_bulk_create"),
    path("certificates/<int:pk>/", views.certificate_detail, name="certificate_detail"),
    path("certificates/<int:pk>/chase/", views.certificate_chase, name="certificate_chase"),
    path("certificates/<int:pk>/<slug:action>/", views.certificate_advance, name="certificate_advance"),
    path("agreements/", views.agreement_list, name="agreement_list"),
    path("agreements/new/", views.agreement_create, name="agreement_create"),
    path("agents/new/", views.agent_create, name="agent_create"),
    path("agents/<int:pk>/edit/", views.agent_edit, name="agent_edit"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("loans/", views.loan_list, name="loan_list"),
    path("loans/new/", views.loan_create, name="loan_create"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/<slug:action>/", views.agreement_action, name="agreement_action"),
    path("overdue/", views.overdue_list, name="overdue_list"),
    path("overdue/upload/", views.overdue_upload, name="overdue_upload"),
    path("overdue/uploads/<int:pk>/", views.overdue_preview, name="overdue_preview"),
    path("overdue/uploads/<int:pk>/confirm/", views.overdue_confirm, name="overdue_confirm"),
    path("overdue/<int:pk>/", views.overdue_detail, name="overdue_detail"),
    path("overdue/<int:pk>/reminder/", views.overdue_reminder, name="overdue_reminder"),
    path("overdue/<int:pk>/letter/", views.overdue_letter, name="overdue_letter"),
    path("overdue/<int:pk>/handover/", views.overdue_handover, name="overdue_handover"),
    path("litigation/", views.litigation_list, name="litigation_list"),
    path("litigation/<int:pk>/", views.litigation_detail, name="litigation_detail"),
    path("litigation/<int:pk>/file/<slug:kind>/", views.litigation_file, name="litigation_file"),
    path("litigation/<int:pk>/<slug:action>/", views.litigation_advance, name="litigation_advance"),
]
