"""URL patterns (namespace ``delivery``): course runs, registers, venues and participants' own courses."""

from django.urls import path

from peerpath.delivery.views import participants, registers, runs, venues

app_name = "delivery"

urlpatterns = [
    path("runs/", runs.run_list, name="run_list"),
    path("runs/new/", runs.run_create, name="run_create"),
    path("runs/<uuid:pk>/", runs.run_detail, name="run_detail"),
    path("runs/<uuid:pk>/tutors/new/", runs.run_assign, name="run_assign"),
    path("runs/<uuid:pk>/status/", runs.run_status, name="run_status"),
    path("runs/<uuid:pk>/enrolments/new/", runs.run_enrol, name="run_enrol"),
    path("runs/<uuid:pk>/enrolments/<uuid:enrolment_id>/withdraw/", runs.run_withdraw, name="run_withdraw"),
    path("runs/<uuid:pk>/sessions/<uuid:session_id>/register/", registers.register, name="register"),
    path("runs/<uuid:pk>/sessions/<uuid:session_id>/register.pdf", registers.register_pdf, name="register_pdf"),
    path("venues/", venues.venue_list, name="venue_list"),
    path("venues/new/", venues.venue_create, name="venue_create"),
    path("venues/<uuid:pk>/edit/", venues.venue_edit, name="venue_edit"),
    path("my-courses/", participants.my_courses, name="my_courses"),
    path("my-courses/<uuid:pk>/accept/", participants.accept_offer, name="accept_offer"),
    path("my-courses/<uuid:pk>/leave/", participants.leave, name="leave"),
    path("enrol/<uuid:pk>/", participants.enrol, name="enrol"),
]
