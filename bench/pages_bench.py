"""Time the main pages at the ``national`` scale, served by gunicorn, against a bare Django view.

Run from the repository root::

    .venv/bin/python bench/pages_bench.py                           # SQLite in a temporary folder
    .venv/bin/python bench/pages_bench.py --data-dir /tmp/pp-sqlite # keep (or reuse) the seeded folder
    createdb -h 127.0.0.1 -U postgres pp_pagebench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pp_pagebench \\
        .venv/bin/python bench/pages_bench.py                       # an existing database
    dropdb -h 127.0.0.1 -U postgres pp_pagebench

The database is migrated and seeded with ``seed_demo --scale national`` (which does
nothing on a database it has already seeded, so a kept folder or database is reused).
Then gunicorn serves it the way ``make serve`` does (2 workers x 4 threads, gthread)
with ``DJANGO_SETTINGS_MODULE=bench.bench_settings``: the real URLs plus a bare view
that returns ``HttpResponse("ok")`` without a login, the baseline of the same run.

The demo ``coordinator`` (South West London Recovery College) and ``administrator``
(everyone) sign in through the real login form. Every page is requested sequentially
over one keep-alive connection on 127.0.0.1, in rounds that visit every page once in
a shuffled order, so that a busy moment on a shared machine lands on all pages alike.
The table gives p50 and p95 in milliseconds (request sent to body read) and the
ratio of each to the bare view's. Target (PERFORMANCE.md): p95 <= 150 ms and <= 5x
the bare view's p95.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
PASSWORD = "peerpath-demo-2026"  # noqa: S105 - the published demo password
USERS = ("coordinator", "administrator")
BARE_PATH = "/__bench__/bare/"
TARGET_P95_MS = 150.0
TARGET_RATIO = 5.0
SETTINGS = "bench.bench_settings"

# People in the database. On PostgreSQL first VACUUM ANALYZE, as autovacuum would soon after a
# seed: a server with autovacuum off (test servers often are) would otherwise plan without
# statistics and count rows without a visibility map.
PEOPLE_COUNT = """
import django
django.setup()
from django.db import connection
from peerpath.people.models import Person
if connection.vendor == "postgresql":
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
print(Person.objects.count())
"""


@dataclass(frozen=True)
class Page:
    name: str
    user: str | None  # None: anonymous
    path: str


@dataclass
class Result:
    page: Page
    millis: list[float] = field(default_factory=list)
    sizes: set[int] = field(default_factory=set)

    def quantile(self, fraction: float) -> float:
        return quantile(self.millis, fraction)


def quantile(values: list[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# Setting up the database ------------------------------------------------------------------------


def run(command: list[str], env: dict[str, str]) -> str:
    completed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(f"failed: {' '.join(command)}")
    return completed.stdout


def prepare_database(env: dict[str, str], scale: str, python: str) -> int:
    """Migrate and seed (seed_demo leaves an already seeded database alone); return the people count."""
    run([python, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    started = time.perf_counter()
    output = run([python, "manage.py", "seed_demo", "--scale", scale], env)
    seconds = time.perf_counter() - started
    people = int(run([python, "-c", PEOPLE_COUNT], env).strip())
    first_line = output.strip().splitlines()[0] if output.strip() else ""
    print(f"seed_demo --scale {scale}: {seconds:.0f} s ({first_line[:100]}); {people:,} people", flush=True)
    return people


# Serving ------------------------------------------------------------------------------------------


def free_port(preferred: int) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As gunicorn binds: a port left in TIME_WAIT by the previous run is free to use.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, preferred))
        except OSError:
            probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn(env: dict[str, str], port: int, log_path: Path) -> Iterator[None]:
    """Serve as ``make serve`` does, with the bench settings; stop the server afterwards."""
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "peerpath.config.wsgi",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        "2",
        "--threads",
        "4",
        "--worker-class",
        "gthread",
    ]
    with log_path.open("w") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_ready(port, server)
            yield
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def wait_until_ready(port: int, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}; see its log")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            connection.request("GET", BARE_PATH)
            if connection.getresponse().status == 200:
                connection.close()
                return
            connection.close()
        except OSError:
            pass
        time.sleep(0.25)
    raise SystemExit(f"gunicorn did not answer {BARE_PATH} within {seconds:.0f} s")


# Signing in and finding what to request -----------------------------------------------------


@dataclass
class Session:
    username: str
    opener: urllib.request.OpenerDirector
    cookies: CookieJar

    def cookie_header(self) -> str:
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.cookies)


def sign_in(base: str, username: str) -> Session:
    """Post the real login form once; never retried, so django-axes cannot lock the account."""
    cookies = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
    with opener.open(f"{base}/accounts/login/", timeout=30) as response:
        page = response.read().decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if match is None:
        raise SystemExit("no csrfmiddlewaretoken on the login page")
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": match.group(1), "username": username, "password": PASSWORD}
    ).encode()
    login = f"{base}/accounts/login/"
    request = urllib.request.Request(login, data=form, headers={"Referer": f"{base}/"})  # noqa: S310 - loopback
    with opener.open(request, timeout=30) as response:
        landed = response.geturl()
        response.read()
    if not landed.endswith("/home/") or not any(cookie.name == "sessionid" for cookie in cookies):
        raise SystemExit(f"could not sign in as {username} (landed on {landed}); not retrying (django-axes)")
    return Session(username, opener, cookies)


def fetch_text(session: Session, base: str, path: str) -> str:
    with session.opener.open(f"{base}{path}", timeout=120) as response:
        return str(response.read().decode())


def people_found(page: str) -> str:
    match = re.search(r"([\d,]+) (?:people|person) found", page)
    return match.group(1) if match else "?"


def discover(base: str, sessions: dict[str, Session], args: argparse.Namespace) -> list[Page]:
    """The pages to time, with ids read from the coordinator's own people list."""
    coordinator = sessions["coordinator"]
    listing = fetch_text(coordinator, base, "/people/")
    ids = re.findall(r'href="/people/([0-9a-f-]{36})/"', listing)
    if not ids:
        raise SystemExit("the coordinator's people list shows nobody")
    person = ids[0]
    borough = re.search(rf'<option value="(\d+)"[^>]*>{re.escape(args.borough)}</option>', listing)
    if borough is None:
        raise SystemExit(f"no borough called {args.borough!r} in the people list filter")
    filtered = urllib.parse.urlencode({"area": borough.group(1), "role": args.role})
    search = urllib.parse.urlencode({"q": args.search})
    pages = [Page("bare view (baseline)", None, BARE_PATH), Page("home", "coordinator", "/home/")]
    for user in USERS:
        pages += [
            Page(f"people list · {user}", user, "/people/"),
            Page(f"people ?q={args.search} · {user}", user, f"/people/?{search}"),
            Page(f"people {args.role}+{args.borough} · {user}", user, f"/people/?{filtered}"),
            Page(f"people page {args.page} · {user}", user, f"/people/?page={args.page}"),
            Page(f"person detail · {user}", user, f"/people/{person}/"),
            Page(f"consent · {user}", user, f"/people/{person}/consent/"),
        ]
    if args.only:
        wanted = [word.casefold() for word in args.only]
        pages = [page for page in pages if page.user is None or any(word in page.name.casefold() for word in wanted)]
    for page in pages:
        if page.user is not None and page.path.startswith("/people/?"):
            found = people_found(fetch_text(sessions[page.user], base, page.path))
            print(f"  {page.name:<44} {found:>9} people found", flush=True)
    print(f"  person detail and consent: /people/{person}/", flush=True)
    return pages


# Timing -------------------------------------------------------------------------------------------


class Client:
    """One keep-alive connection; the clock runs from sending the request to reading the whole body."""

    def __init__(self, port: int, sessions: dict[str, Session]) -> None:
        self.port = port
        self.headers = {user: {"Cookie": session.cookie_header()} for user, session in sessions.items()}
        self.connection = http.client.HTTPConnection(HOST, port, timeout=120)

    def get(self, page: Page) -> tuple[float, int]:
        headers = self.headers[page.user] if page.user else {}
        for attempt in range(2):
            try:
                started = time.perf_counter()
                self.connection.request("GET", page.path, headers=headers)
                response = self.connection.getresponse()
                body = response.read()
                millis = (time.perf_counter() - started) * 1000
            except (http.client.RemoteDisconnected, ConnectionError, http.client.BadStatusLine):
                # The server closed an idle keep-alive connection: reconnect and time the request again.
                self.connection.close()
                self.connection = http.client.HTTPConnection(HOST, self.port, timeout=120)
                if attempt:
                    raise
                continue
            if response.status != 200:
                raise SystemExit(f"{page.name}: HTTP {response.status} for {page.path}")
            if response.will_close:
                self.connection.close()
                self.connection = http.client.HTTPConnection(HOST, self.port, timeout=120)
            return millis, len(body)
        raise AssertionError("unreachable")


def measure(client: Client, pages: list[Page], warmup: int, requests: int, seed: int) -> list[Result]:
    rng = random.Random(seed)
    results = {page: Result(page) for page in pages}
    for _ in range(warmup):
        for page in pages:
            client.get(page)
    print(f"warmed up ({warmup} rounds); timing {requests} rounds of {len(pages)} pages", flush=True)
    for round_number in range(requests):
        order = list(pages)
        rng.shuffle(order)
        for page in order:
            millis, size = client.get(page)
            results[page].millis.append(millis)
            results[page].sizes.add(size)
        if (round_number + 1) % max(1, requests // 4) == 0:
            print(f"  {round_number + 1}/{requests} rounds, load average {os.getloadavg()[0]:.2f}", flush=True)
    return [results[page] for page in pages]


def report(results: list[Result], database: str, people: int) -> list[dict[str, object]]:
    bare = results[0]
    bare_p50, bare_p95 = bare.quantile(0.5), bare.quantile(0.95)
    print(f"\n{database}, {people:,} people; {len(bare.millis)} sequential requests per page")
    header = f"{'page':<44} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'x p50':>6} {'x p95':>6} {'KB':>6}  target"
    print(header)
    print("-" * len(header))
    rows: list[dict[str, object]] = []
    for result in results:
        p50, p95 = result.quantile(0.5), result.quantile(0.95)
        ratio50, ratio95 = p50 / bare_p50, p95 / bare_p95
        met = p95 <= TARGET_P95_MS and ratio95 <= TARGET_RATIO
        verdict = "" if result is bare else ("met" if met else "MISSED")
        kilobytes = max(result.sizes) / 1000
        print(
            f"{result.page.name:<44} {p50:>8.1f} {p95:>8.1f} {max(result.millis):>8.1f}"
            f" {ratio50:>6.1f} {ratio95:>6.1f} {kilobytes:>6.0f}  {verdict}"
        )
        rows.append(
            {
                "page": result.page.name,
                "user": result.page.user,
                "path": result.page.path,
                "requests": len(result.millis),
                "p50_ms": round(p50, 2),
                "p95_ms": round(p95, 2),
                "mean_ms": round(statistics.fmean(result.millis), 2),
                "max_ms": round(max(result.millis), 2),
                "ratio_p50": round(ratio50, 2),
                "ratio_p95": round(ratio95, 2),
                "bytes": max(result.sizes),
                "target_met": met if result is not bare else None,
            }
        )
    print(f"target: p95 <= {TARGET_P95_MS:.0f} ms and p95 <= {TARGET_RATIO:.0f}x the bare view's p95")
    return rows


# Main ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="national", choices=["small", "regional", "national"])
    parser.add_argument("--data-dir", type=Path, help="SQLite: use and keep this PEERPATH_DATA_DIR (seeded if empty)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page (default 200)")
    parser.add_argument("--warmup", type=int, default=10, help="untimed rounds over every page first (default 10)")
    parser.add_argument("--port", type=int, default=8765, help="preferred port on 127.0.0.1 (a free one otherwise)")
    parser.add_argument("--search", default="smi", help="search text for the ?q= page (default smi)")
    parser.add_argument("--role", default="participant", help="role for the filtered page (default participant)")
    parser.add_argument("--borough", default="Wandsworth", help="borough for the filtered page (default Wandsworth)")
    parser.add_argument("--page", type=int, default=50, help="page number for the deep page (default 50)")
    parser.add_argument("--only", action="append", help="time only pages whose name contains this (repeatable)")
    parser.add_argument("--seed", type=int, default=2026, help="seed for the order of pages in each round")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    if args.requests < 20 or args.requests > 10_000 or args.warmup < 0 or args.warmup > 1_000:
        parser.error("--requests must be 20..10000 and --warmup 0..1000")

    database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="peerpath-pagebench-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS, "PEERPATH_DATA_DIR": str(data_dir)}
    print(f"== pages at {args.scale} scale on {database} ({os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f})")
    try:
        people = prepare_database(env, args.scale, sys.executable)
        port = free_port(args.port)
        base = f"http://{HOST}:{port}"
        log_path = data_dir / "gunicorn.log"
        with gunicorn(env, port, log_path):
            print(f"gunicorn on {base} (log {log_path})", flush=True)
            sessions = {user: sign_in(base, user) for user in USERS}
            pages = discover(base, sessions, args)
            client = Client(port, sessions)
            results = measure(client, pages, args.warmup, args.requests, args.seed)
        rows = report(results, database, people)
        print(f"load average after: {os.getloadavg()[0]:.2f}")
        if args.json:
            summary = {"scale": args.scale, "database": database, "people": people, "pages": rows}
            args.json.write_text(json.dumps(summary, indent=2))
    finally:
        if args.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
