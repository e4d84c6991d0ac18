from django.urls import path

from peerpath.people import views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="person_list"),
    path("add/", views.person_create, name="person_create"),
    path("me/", views.me, name="me"),
    path("<uuid:pk>/", views.person_detail, name="person_detail"),
    path("<uuid:pk>/edit/", views.person_edit, name="person_edit"),
    path("<uuid:pk>/login/", views.person_grant_login, name="person_grant_login"),
    path("<uuid:pk>/caring/add/", views.caring_role_add, name="caring_role_add"),
    path("<uuid:pk>/roles/add/", views.membership_add, name="membership_add"),
    path("<uuid:pk>/consent/", views.consent_list, name="consent_list"),
    path("<uuid:pk>/equality-monitoring/", views.equality_monitoring, name="equality_monitoring"),
]
