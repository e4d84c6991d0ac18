"""Questionnaires for the people who answer them (namespace ``questionnaires``): invitation links
that open without a login, and a signed-in participant's own questionnaires and scores."""

from __future__ import annotations

app_name = "questionnaires"

urlpatterns: list[object] = []
