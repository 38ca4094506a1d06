from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("", views.register, name="register"),
    path("new/", views.entry, name="entry"),
    path("new/similar/", views.similar, name="similar"),
    path("forwarded/", views.forwarded, name="forwarded"),
    path("disputes/print/", views.dispute_book, name="dispute_book"),
    path("weekly/", views.weekly, name="weekly"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/print/", views.print_form, name="print"),
    path("<int:pk>/act/<slug:name>/", views.act, name="act"),
    path("<int:pk>/attach/", views.attach, name="attach"),
    path("<int:pk>/owner-reply/", views.owner_reply, name="owner_reply"),
    path("<int:pk>/event/", views.link_event, name="link_event"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("clocks/<int:pk>/<slug:op>/", views.clock_action, name="clock"),
]
