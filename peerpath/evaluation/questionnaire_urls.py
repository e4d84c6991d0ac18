"""Questionnaires for the people who answer them (namespace ``questionnaires``): invitation links
that open without a login, and a signed-in participant's own questionnaires and scores."""

from __future__ import annotations

from django.urls import URLPattern, path, register_converter

from peerpath.evaluation import questionnaire_views as views
from peerpath.evaluation.tokens import TOKEN_PATTERN


class InvitationTokenConverter:
    """An invitation link's token: a malformed one never reaches a view."""

    regex = TOKEN_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(InvitationTokenConverter, "invitation_token")

app_name = "questionnaires"

urlpatterns: list[URLPattern] = [
    path("", views.mine, name="mine"),
    path("scores/", views.my_scores, name="my_scores"),
    path("<invitation_token:link_token>/", views.invitation, name="invitation"),
    path("<invitation_token:link_token>/<int:position>/", views.answer, name="answer"),
]
