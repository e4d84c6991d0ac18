"""URL patterns (namespace ``messages``): messages to a run's participants."""

from django.urls import path

from peerpath.delivery import message_views

app_name = "messages"

urlpatterns = [
    path("<uuid:pk>/messages/", message_views.message_list, name="message_list"),
    path("<uuid:pk>/messages/new/", message_views.message_create, name="message_create"),
]
