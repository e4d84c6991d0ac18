"""URL patterns (namespace ``calendar``): private iCalendar feeds, and moving a session."""

from django.urls import path

from peerpath.delivery import calendar_views

app_name = "calendar"

urlpatterns = [
    path("", calendar_views.my_calendar, name="my_calendar"),
    path("revoke/", calendar_views.revoke, name="revoke"),
    path("<str:token>.ics", calendar_views.feed, name="feed"),
    path("runs/<uuid:pk>/", calendar_views.run_feed, name="run_feed"),
    path("runs/<uuid:pk>/revoke/", calendar_views.run_feed_revoke, name="run_feed_revoke"),
    path("runs/<uuid:pk>/sessions/<uuid:session_id>/move/", calendar_views.session_move, name="session_move"),
]
