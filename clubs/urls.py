from django.urls import path

from clubs import views

app_name = "clubs"

urlpatterns = [
    path("", views.home, name="home"),
    path("forums/", views.forum_list, name="forum_list"),
    path("forums/new/", views.forum_create, name="forum_create"),
    path("forums/print/", views.forum_register_print, name="forum_register_print"),
    path("forums/<int:pk>/", views.forum_detail, name="forum_detail"),
    path("forums/<int:pk>/edit/", views.forum_edit, name="forum_edit"),
    path("forums/<int:pk>/print/", views.forum_print, name="forum_print"),
    path("forums/<int:pk>/participants/", views.forum_participants, name="forum_participants"),
    path("forums/<int:pk>/checklist/<int:item_pk>/", views.checklist_toggle, name="checklist_toggle"),
    path("forums/<int:pk>/opinions/<int:opinion_pk>/case/", views.opinion_to_case, name="opinion_to_case"),
    path("forums/<int:pk>/<slug:action>/", views.forum_act, name="forum_act"),
    path("club/new/", views.club_create, name="club_create"),
    path("club/<int:pk>/", views.club_detail, name="club_detail"),
    path("club/<int:pk>/edit/", views.club_edit, name="club_edit"),
    path("club/<int:pk>/<slug:action>/", views.club_act, name="club_act"),
    path("club/<int:club_pk>/activities/new/", views.activity_create, name="activity_create"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("members/<int:pk>/<slug:action>/", views.member_act, name="member_act"),
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/records/", views.activity_list, {"records": True}, name="activity_records"),
    path("activities/print/", views.activity_register_print, name="activity_plan_print"),
    path("activities/records/print/", views.activity_register_print, {"records": True}, name="activity_record_print"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/print/", views.activity_print, name="activity_print"),
    path("activities/<int:pk>/photos/<int:photo_pk>/", views.activity_photo, name="activity_photo"),
    path("activities/<int:pk>/improvements/<int:item_pk>/done/", views.improvement_done, name="improvement_done"),
    path("activities/<int:pk>/<slug:action>/", views.activity_act, name="activity_act"),
]
