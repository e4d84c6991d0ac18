"""Report pages (namespace ``reports``; ADR 019)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from peerpath.core.decorators import permission_required
from peerpath.core.types import AuthenticatedHttpRequest
from peerpath.reports.filters import read_filters


@permission_required("reports.view")
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = read_filters(request.user, request.GET)
    return render(request, "reports/dashboard.jinja", {"filters": filters})
