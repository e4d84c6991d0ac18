from django.contrib import admin
from django.urls import include, path

from peerpath.core import views as core_views

admin.site.site_header = "PeerPath administration"
admin.site.site_title = "PeerPath administration"

urlpatterns = [
    path("", include("peerpath.core.urls")),
    path("accounts/", include("peerpath.core.account_urls")),
    path("people/", include("peerpath.people.urls")),
    path("courses/terms/", include("peerpath.courses.term_urls")),
    path("courses/", include("peerpath.courses.urls")),
    path("prospectus/", include("peerpath.courses.prospectus_urls")),
    path("runs/", include("peerpath.delivery.message_urls")),
    path("", include("peerpath.delivery.urls")),
    path("groups/", include("peerpath.delivery.group_urls")),
    path("calendar/", include("peerpath.delivery.calendar_urls")),
    path("accreditation/", include("peerpath.accreditation.urls")),
    path("verify/", include("peerpath.accreditation.verify_urls")),
    path("", include("peerpath.accreditation.issuer_urls")),
    path("evaluation/entry/", include("peerpath.evaluation.entry_urls")),
    path("evaluation/", include("peerpath.evaluation.urls")),
    path("questionnaires/", include("peerpath.evaluation.questionnaire_urls")),
    path("fhir/", include("peerpath.evaluation.fhir_urls")),
    path("reports/", include("peerpath.reports.urls")),
    path("programmes/", include("peerpath.bundles.urls")),
    path("admin/", admin.site.urls),
]

handler400 = core_views.bad_request
handler403 = core_views.permission_denied
handler404 = core_views.page_not_found
handler500 = core_views.server_error
