"""URL patterns for the portfolio screens, joined into the ``accreditation`` namespace by ``urls.py``."""

from django.urls import URLPattern, path

from peerpath.accreditation import portfolio_views as views

urlpatterns: list[URLPattern] = [
    path("portfolio/", views.portfolio_page, name="portfolio"),
    path("portfolio/add/", views.entry_add, name="entry_add"),
    path("portfolio/<uuid:entry_id>/", views.entry_detail, name="entry_detail"),
    path("portfolio/<uuid:entry_id>/edit/", views.entry_edit, name="entry_edit"),
    path("portfolio/<uuid:entry_id>/file/", views.entry_file, name="entry_file"),
    path("portfolio/<uuid:entry_id>/review/", views.entry_review, name="entry_review"),
    path("candidates/<uuid:candidate_id>/observations/add/", views.observation_add, name="observation_add"),
    path("observations/<uuid:observation_id>/", views.observation_detail, name="observation_detail"),
]
