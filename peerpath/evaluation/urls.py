"""Staff pages for evaluation: runs' questionnaires, paper entry and safety alerts (namespace ``evaluation``)."""

from __future__ import annotations

app_name = "evaluation"

urlpatterns: list[object] = []
