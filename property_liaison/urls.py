from django.urls import path

from property_liaison import views

app_name = "property_liaison"

urlpatterns = [
    path("", views.home, name="home"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/print/", views.meeting_print, name="meeting_print"),
    path("items/", views.action_item_list, name="action_item_list"),
    path("items/<int:pk>/", views.follow_up_detail, {"kind": "item"}, name="action_item_detail"),
    path("items/<int:pk>/<slug:action>/", views.follow_up_act, {"kind": "item"}, name="action_item_act"),
    path("cadence/", views.cadence_report, name="cadence_report"),
    path("cadence/<int:project_pk>/", views.cadence_set, name="cadence_set"),
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("inspections/new/", views.inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/print/", views.inspection_print, name="inspection_print"),
    path("rectifications/", views.rectification_list, name="rectification_list"),
    path("rectifications/<int:pk>/", views.follow_up_detail, {"kind": "rectification"}, name="rectification_detail"),
    path("rectifications/<int:pk>/<slug:action>/", views.follow_up_act, {"kind": "rectification"},
         name="rectification_act"),
    path("trends/", views.score_trends, name="score_trends"),
    path("committee/", views.committee_list, name="committee_list"),
    path("committee/<int:project_pk>/", views.committee_detail, name="committee_detail"),
    path("committee/<int:project_pk>/<slug:action>/", views.committee_act, name="committee_act"),
    path("repairs/", views.repair_list, name="repair_list"),
    path("repairs/new/", views.repair_create, name="repair_create"),
    path("repairs/print/", views.repair_print, name="repair_print"),
    path("repairs/<int:pk>/", views.repair_detail, name="repair_detail"),
    path("repairs/<int:pk>/<slug:action>/", views.repair_act, name="repair_act"),
    path("warranty-ending/", views.warranty_ending, name="warranty_ending"),
    path("files/<slug:kind>/<int:pk>/", views.attachment, name="attachment"),
]
