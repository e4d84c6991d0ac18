"""The pseudonymised extract's page and downloads (``reports:extract``; ADR 019).

The page says what the extract holds, shows its data dictionary for the filters chosen and
links to the downloads, which keep the filters in the address. The rows are read only for
a download: ``?download=xlsx`` (About, Data and Data dictionary sheets), ``?download=csv``
(the data only) or ``?download=dictionary`` (the data dictionary as CSV).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_safe

from peerpath.core.decorators import permission_required
from peerpath.core.types import AuthenticatedHttpRequest
from peerpath.reports import exports
from peerpath.reports.extract import Extract, audited_rows, data_dictionary, plan_extract, xlsx_file
from peerpath.reports.filters import Filters, read_filters

DOWNLOADS = ("xlsx", "csv", "dictionary")


@require_safe
@permission_required("reports.extract")
def extract(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    filters = read_filters(request.user, request.GET)
    download = request.GET.get("download", "")
    if download and download not in DOWNLOADS:
        raise Http404("No such download")
    planned = plan_extract(filters.scope)
    if download:
        return _download(request, filters, planned, download)
    for note in filters.messages:
        messages.warning(request, note)
    query = f"{filters.query}&" if filters.query else ""
    return render(
        request,
        "reports/extract.jinja",
        {
            "filters": filters,
            "dictionary": data_dictionary(planned.columns)[1:],
            "download_base": f"?{query}download=",
        },
    )


def _download(request: AuthenticatedHttpRequest, filters: Filters, planned: Extract, kind: str) -> HttpResponseBase:
    scope = filters.scope
    stem = f"peerpath-extract-{scope.start:%Y%m%d}-{scope.end:%Y%m%d}"
    response: HttpResponseBase
    if kind == "xlsx":
        file = xlsx_file(planned, actor=request.user, notes=filters.messages)
        response = FileResponse(
            file,
            as_attachment=True,
            filename=exports.safe_filename(stem, "xlsx"),
            content_type=exports.XLSX_CONTENT_TYPE,
        )
    elif kind == "csv":
        header = [column.name for column in planned.columns]
        rows = audited_rows(planned, actor=request.user, fmt="csv")
        response = exports.stream_csv_rows(header, rows, filename=f"{stem}.csv")
    else:
        dictionary = data_dictionary(planned.columns)
        response = exports.stream_csv_rows(dictionary[0], dictionary[1:], filename=f"{stem}-dictionary.csv")
    return response
