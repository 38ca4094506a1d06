from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_phone, name="login"),
    path("login/code/", views.login_code, name="login_code"),
    path("logout/", views.logout_view, name="logout"),
    path("report/", views.report, name="report"),
    path("report/similar/", views.similar, name="similar"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/<slug:action>/", views.case_act, name="case_act"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("privacy/", views.privacy, name="privacy"),
    path("me/", views.me, name="me"),
    path("me/correction/", views.correction, name="correction"),
    path("me/messages/", views.channels, name="channels"),
    path("inbox/", views.inbox, name="inbox"),
    path("club/", views.club, name="club"),
    path("club/<int:pk>/apply/", views.club_apply, name="club_apply"),
    path("forums/<int:pk>/<slug:action>/", views.forum_signup, name="forum_signup"),
    path("inbox/<int:pk>/", views.message, name="message"),
]
