"""Count each page's database queries, for the page benches' discovery scripts (run after django.setup()).

Each page is requested twice in a Django test client signed in as its user: the first
request warms caches that later requests would find warm too; the second is counted
(session and user lookups included).
"""

from __future__ import annotations

import sys


def count_queries(pages: list[list[str | None]]) -> dict[str, int]:
    """``pages`` as [name, username or None, path]; returns {"name · user": queries}, or exits on a non-200 page."""
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name, username, path in pages:
        assert path is not None
        client = Client(HTTP_HOST="127.0.0.1")
        if username:
            client.force_login(User.objects.get(username=username))
        client.get(path)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200:
            sys.exit(f"{name}: HTTP {response.status_code} for {path}")
        counts[f"{name} · {username or 'anonymous'}"] = len(queries)
    return counts
