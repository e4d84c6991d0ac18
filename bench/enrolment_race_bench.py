"""Race many participants for the places on one course run, over real HTTP, served by gunicorn.

Run from the repository root::

    .venv/bin/python bench/enrolment_race_bench.py                           # SQLite in a temporary folder
    .venv/bin/python bench/enrolment_race_bench.py --data-dir /tmp/pp-race   # keep (or reuse) the folder
    createdb -h 127.0.0.1 -U postgres pp_racebench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pp_racebench \\
        .venv/bin/python bench/enrolment_race_bench.py                       # an empty database made for it
    dropdb -h 127.0.0.1 -U postgres pp_racebench

The issue's promise, measured: PeerPath fills a run exactly to capacity, queues the
rest in order, and answers nobody with a 5xx, on SQLite and on PostgreSQL alike.
RELIABILITY.md's baseline is pretix, which under 16 concurrent orders on SQLite
answered most of them with 500s and sold only half the places.

How it works
------------
The database is migrated, then a helper process (the project's python with
``bench.bench_settings``) builds an organisation, a coordinator, an approved course
offered in a published term, and as many participants as the largest burst needs,
each a User with a Person and a participant Membership. Every name carries a fresh
prefix, so a kept folder can be used again; a PostgreSQL database given by
DATABASE_URL must hold nothing but this bench's rows (it refuses otherwise).

gunicorn serves it as RELIABILITY.md measured the race: 4 workers x 4 threads,
gthread, on a free port of 127.0.0.1. For each burst the helper opens a fresh run
with capacity C (through the delivery services, as the test factories do) and
writes a signed-in session for each of M participants straight into the session
store, with a CSRF cookie and the same token for the form field, so no login form
and no lockout rule (django-axes) is involved. M threads each open one connection,
wait at a ``threading.Barrier``, then POST ``agreement=on`` to ``/enrol/<run>/``
(``delivery:enrol``) at once. A place or a place in the queue is a 302 to
``/my-courses/``; a refusal is a 400 page.

After each burst the helper reads the run back: enrolled == min(M, C), the rest
waitlisted at positions 1..M-C with no gaps, the run's places_taken and waiting
counters equal to what its enrolments say, nobody twice. The burst time runs from
the barrier's release to the last response read, and is shown as a multiple of one
uncontended enrolment: the median of sequential POSTs into a roomy run, after a few
untimed warm-up bursts (a worker's first request costs about a second). The cpu
column is what the gunicorn processes used during the burst (Linux /proc): near
2 x burst ms means both cores were busy; far below it, requests were waiting.
Bursts are interleaved (every pair once, then again) so a busy moment on a shared
machine lands on all pairs alike. Sessions are written just before their burst, as
a sign-in leaves them, so the idle-timeout middleware has no reason to save them.

The exit status is 1 when any response was a 5xx, a refusal or a failed
connection, or any count is wrong; the table's last column says which.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pages_bench import HOST, SETTINGS, free_port, run, wait_until_ready  # noqa: E402 - root on the path first

DEFAULT_PAIRS = "16x8,60x10,40x1"
MY_COURSES = "/my-courses/"
TIMEOUT_SECONDS = 120

# The helper: a Django process that answers one JSON command per line on stdin with one
# JSON line on stdout (anything else Django prints goes to stderr, the helper's log).
HELPER = r'''
import datetime, json, secrets, sys, types
answers = sys.stdout
sys.stdout = sys.stderr
import django
django.setup()
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SESSION_KEY
from django.utils import timezone
from django.utils.crypto import get_random_string
from peerpath.core.middleware import mark_signed_in
from peerpath.courses.tests.factories import TermFactory, approved_course
from peerpath.delivery.models import CourseRun, Enrolment
from peerpath.delivery.tests.factories import open_run
from peerpath.people.models import Membership, Organisation, Person

SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
BACKEND = "django.contrib.auth.backends.ModelBackend"
E = Enrolment.Status
state = {}


def member(username, role, tutor_kind=""):
    prefix = state["prefix"]
    user = User(username=f"{prefix}-{username}", email=f"{prefix}-{username}@example.org")
    user.set_unusable_password()  # nobody signs in: sessions are written directly
    user.save()
    person = Person.objects.create(
        user=user, given_name=username.title(), family_name="Racer", email=f"{prefix}-{username}@example.org"
    )
    Membership.objects.create(person=person, organisation=state["org"], role=role, tutor_kind=tutor_kind)
    return user, person


def setup(participants):
    strangers = User.objects.exclude(username__startswith="racebench-").count()
    if strangers:
        raise ValueError(f"the database has {strangers} users of its own: give the bench an empty database")
    prefix = state["prefix"] = "racebench-" + secrets.token_hex(4)
    role = Membership.Role
    with transaction.atomic():
        state["org"] = Organisation.objects.create(name=f"Race bench college {prefix}")
        state["coordinator"], _ = member("coordinator", role.COORDINATOR)
        _, state["peer"] = member("peer", role.TUTOR, Membership.TutorKind.PEER)
        _, state["professional"] = member("professional", role.TUTOR, Membership.TutorKind.PROFESSIONAL)
        course = state["course"] = approved_course(state["org"], state["coordinator"], title=f"Race {prefix}")
        today = timezone.localdate()
        term = state["term"] = TermFactory(
            organisation=state["org"], name="Race term", slug=prefix,
            starts_on=today, ends_on=today + datetime.timedelta(days=120), published=True,
        )
        term.courses.add(course)
        state["users"] = [member(f"p{index:03d}", role.PARTICIPANT)[0] for index in range(participants)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"prefix": prefix, "vendor": connection.vendor, "participants": participants}


def signed_in(user):
    """A session as a sign-in leaves it, and a CSRF token: the Cookie header and the form's token."""
    token = get_random_string(32, CSRF_ALLOWED_CHARS)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = BACKEND
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    mark_signed_in(types.SimpleNamespace(session=session))
    cookies = {}
    if settings.CSRF_USE_SESSIONS:
        session[CSRF_SESSION_KEY] = token
    else:
        cookies[settings.CSRF_COOKIE_NAME] = token
    session.create()
    cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return {"cookie": "; ".join(f"{name}={value}" for name, value in cookies.items()), "token": token}


def new_run(capacity, people):
    """A fresh open run, and fresh sessions (the idle clock starts now) for the first ``people``."""
    if people > len(state["users"]):
        raise ValueError(f"only {len(state['users'])} participants were made")
    with transaction.atomic():
        course_run = open_run(
            state["org"], state["coordinator"], capacity=capacity, course=state["course"], term=state["term"],
            peer=state["peer"], professional=state["professional"],
        )
        sessions = [signed_in(user) for user in state["users"][:people]]
    return {"run": str(course_run.pk), "path": f"/enrol/{course_run.pk}/", "sessions": sessions}


def inspect(run_id):
    course_run = CourseRun.objects.get(pk=run_id)
    rows = list(course_run.enrolments.values_list("person_id", "status", "position"))
    people = [person for person, _, _ in rows]
    return {
        "rows": len(rows),
        "enrolled": sum(status == E.ENROLLED for _, status, _ in rows),
        "waitlisted": sum(status == E.WAITLISTED for _, status, _ in rows),
        "other_statuses": sorted({status for _, status, _ in rows} - {E.ENROLLED, E.WAITLISTED}),
        "positions": sorted(position for _, status, position in rows if status == E.WAITLISTED),
        "duplicates": len(people) - len(set(people)),
        "places_taken": course_run.places_taken,
        "waiting": course_run.waiting,
        "status": course_run.status,
    }


for line in sys.stdin:
    command = json.loads(line)
    try:
        if command["cmd"] == "setup":
            answer = setup(command["participants"])
        elif command["cmd"] == "run":
            answer = new_run(command["capacity"], command["people"])
        elif command["cmd"] == "inspect":
            answer = inspect(command["run"])
        else:
            raise ValueError(f"unknown command {command['cmd']!r}")
    except Exception as error:
        import traceback
        traceback.print_exc()
        answer = {"error": f"{type(error).__name__}: {error}"}
    answers.write(json.dumps(answer) + "\n")
    answers.flush()
'''


class Helper:
    """The helper process: builds the people, a fresh run per burst, and reads runs back."""

    def __init__(self, python: str, env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self.log = log_path.open("w")
        self.process = subprocess.Popen(
            [python, "-c", HELPER],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )

    def ask(self, **command: Any) -> dict[str, Any]:
        stdin: IO[str] | None = self.process.stdin
        stdout: IO[str] | None = self.process.stdout
        assert stdin is not None and stdout is not None
        stdin.write(json.dumps(command) + "\n")
        stdin.flush()
        line = stdout.readline()
        if not line:
            raise SystemExit(f"the helper stopped; see {self.log_path}")
        answer: dict[str, Any] = json.loads(line)
        if "error" in answer:
            raise SystemExit(f"helper, {command['cmd']}: {answer['error']} (see {self.log_path})")
        return answer

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


@contextmanager
def gunicorn(env: dict[str, str], port: int, workers: int, threads: int, log_path: Path) -> Iterator[int]:
    """Serve with the bench settings, gthread, ``workers`` x ``threads``; yield the master's pid."""
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "peerpath.config.wsgi",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
    ]
    with log_path.open("w") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_ready(port, server)
            yield server.pid
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def server_cpu_seconds(master: int) -> float | None:
    """CPU time (user + system) the gunicorn master and its workers have used so far; None off Linux."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0
    try:
        entries = [entry for entry in os.listdir("/proc") if entry.isdigit()]
    except OSError:
        return None
    for entry in entries:
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue  # gone, or not ours to read
        # After the command: state, ppid, ... utime and stime are the 12th and 13th.
        if int(entry) == master or int(fields[1]) == master:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


# One POST ---------------------------------------------------------------------------------------


@dataclass
class Attempt:
    status: int = 0  # 0: no response (the error says why)
    location: str = ""
    error: str = ""
    started: float = 0.0
    ended: float = 0.0

    @property
    def millis(self) -> float:
        return (self.ended - self.started) * 1000

    @property
    def placed(self) -> bool:
        return self.status == 302 and urllib.parse.urlsplit(self.location).path == MY_COURSES


def title_of(body: bytes) -> str:
    match = re.search(rb"<title>(.*?)</title>", body, re.DOTALL)
    return " ".join(match.group(1).decode(errors="replace").split())[:100] if match else body[:100].decode("latin-1")


def post(connection: http.client.HTTPConnection, path: str, session: dict[str, str], attempt: Attempt) -> None:
    """Send the enrol form on an open connection; the clock runs from sending to the body read."""
    form = urllib.parse.urlencode({"csrfmiddlewaretoken": session["token"], "agreement": "on"})
    headers = {
        "Cookie": session["cookie"],
        "Content-Type": "application/x-www-form-urlencoded",
        "Connection": "close",
    }
    try:
        attempt.started = time.perf_counter()
        connection.request("POST", path, body=form, headers=headers)
        response = connection.getresponse()
        body = response.read()
        attempt.ended = time.perf_counter()
        attempt.status = response.status
        attempt.location = response.getheader("Location") or ""
        if not attempt.placed:
            attempt.error = title_of(body)
    except (OSError, http.client.HTTPException) as error:
        attempt.ended = time.perf_counter()
        attempt.error = f"{type(error).__name__}: {error}"
    finally:
        connection.close()


def one_enrolment(port: int, path: str, session: dict[str, str]) -> Attempt:
    connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT_SECONDS)
    connection.connect()
    attempt = Attempt()
    post(connection, path, session, attempt)
    return attempt


def fire(port: int, path: str, sessions: list[dict[str, str]]) -> list[Attempt]:
    """One thread and one connection per session; all POST at the barrier's release."""
    barrier = threading.Barrier(len(sessions))
    attempts = [Attempt() for _ in sessions]

    def attempt_one(index: int) -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT_SECONDS)
        try:
            connection.connect()
        except OSError as error:
            attempts[index].error = f"connect: {error}"
            barrier.abort()
            return
        try:
            barrier.wait(timeout=TIMEOUT_SECONDS)
        except threading.BrokenBarrierError:
            attempts[index].error = attempts[index].error or "the barrier broke"
            connection.close()
            return
        post(connection, path, sessions[index], attempts[index])

    workers = [threading.Thread(target=attempt_one, args=(index,)) for index in range(len(sessions))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=TIMEOUT_SECONDS * 2)
    return attempts


# One burst, checked ---------------------------------------------------------------------------


@dataclass
class Burst:
    requests: int
    capacity: int
    repeat: int
    run: str = ""
    placed: int = 0  # 302 to /my-courses/
    client_errors: int = 0  # 4xx
    server_errors: int = 0  # 5xx
    other: int = 0  # any other status, or no response at all
    enrolled: int = 0
    waitlisted: int = 0
    overbooked: int = 0
    burst_ms: float = 0.0
    cpu_ms: float | None = None  # CPU the server used during the burst (both cores count)
    p50_ms: float = 0.0
    max_ms: float = 0.0
    ratio: float = 0.0
    answers: dict[str, int] = field(default_factory=dict)
    database: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def tally(burst: Burst, attempts: list[Attempt]) -> None:
    answers: Counter[str] = Counter()
    for attempt in attempts:
        if attempt.placed:
            burst.placed += 1
        elif 400 <= attempt.status < 500:
            burst.client_errors += 1
        elif attempt.status >= 500:
            burst.server_errors += 1
        else:
            burst.other += 1
        answers[f"{attempt.status or 'no response'} {attempt.location or attempt.error}".strip()] += 1
    burst.answers = dict(answers.most_common())
    timed = [attempt for attempt in attempts if attempt.ended]
    if timed:
        burst.burst_ms = (max(a.ended for a in timed) - min(a.started for a in timed)) * 1000
        burst.p50_ms = statistics.median(a.millis for a in timed)
        burst.max_ms = max(a.millis for a in timed)


def check(burst: Burst, found: dict[str, Any]) -> None:
    """Compare the run as the database holds it with what M distinct people racing for C places must give."""
    m, c = burst.requests, burst.capacity
    burst.database = found
    burst.enrolled, burst.waitlisted = found["enrolled"], found["waitlisted"]
    burst.overbooked = max(0, burst.enrolled - c)
    problems = burst.problems
    if burst.server_errors:
        problems.append(f"{burst.server_errors} x 5xx")
    if burst.client_errors or burst.other:
        problems.append(f"{burst.client_errors + burst.other} not placed")
    if burst.enrolled != min(m, c):
        problems.append(f"enrolled {burst.enrolled} != {min(m, c)}")
    if burst.waitlisted != m - min(m, c):
        problems.append(f"waitlisted {burst.waitlisted} != {m - min(m, c)}")
    if found["rows"] != burst.placed or found["other_statuses"]:
        problems.append(f"{found['rows']} enrolment rows for {burst.placed} places given")
    if found["positions"] != list(range(1, burst.waitlisted + 1)):
        problems.append(f"queue positions {found['positions']}")
    if found["places_taken"] != burst.enrolled or found["waiting"] != burst.waitlisted:
        problems.append(f"counters say {found['places_taken']} taken, {found['waiting']} waiting")
    if found["duplicates"]:
        problems.append(f"{found['duplicates']} people twice")


def race(helper: Helper, port: int, master: int, requests: int, capacity: int, repeat: int) -> Burst:
    fresh = helper.ask(cmd="run", capacity=capacity, people=requests)
    burst = Burst(requests, capacity, repeat, run=fresh["run"])
    cpu_before = server_cpu_seconds(master)
    attempts = fire(port, fresh["path"], fresh["sessions"])
    cpu_after = server_cpu_seconds(master)
    if cpu_before is not None and cpu_after is not None:
        burst.cpu_ms = (cpu_after - cpu_before) * 1000
    tally(burst, attempts)
    check(burst, helper.ask(cmd="inspect", run=fresh["run"]))
    return burst


def baseline(helper: Helper, port: int, count: int) -> list[float]:
    """Sequential enrolments into a run with room for all: one enrolment's time with no contention."""
    fresh = helper.ask(cmd="run", capacity=count + 10, people=count)
    attempts = [one_enrolment(port, fresh["path"], session) for session in fresh["sessions"]]
    failed = [attempt for attempt in attempts if not attempt.placed]
    if failed:
        raise SystemExit(f"uncontended enrolment failed: {failed[0].status} {failed[0].error}")
    found = helper.ask(cmd="inspect", run=fresh["run"])
    if found["enrolled"] != count:
        raise SystemExit(f"uncontended enrolments: {found['enrolled']} enrolled of {count}")
    return [attempt.millis for attempt in attempts]


# Reporting --------------------------------------------------------------------------------------


def report(database: str, bursts: list[Burst], single_ms: float, workers: int, threads: int) -> None:
    print(
        f"\n{database}: gunicorn {workers} x {threads} gthread; one uncontended enrolment {single_ms:.0f} ms (median)"
    )
    header = (
        f"{'requests':>8} {'capacity':>8} {'rep':>3} {'302':>4} {'4xx':>4} {'5xx':>4} {'other':>5}"
        f" {'enrolled':>8} {'waitlisted':>10} {'overbooked':>10} {'burst ms':>9} {'x one':>6}"
        f" {'p50 ms':>7} {'max ms':>7} {'cpu ms':>7}  check"
    )
    print(header)
    print("-" * len(header))
    ordered = sorted(bursts, key=lambda b: (b.requests, b.capacity, b.repeat))
    for burst in ordered:
        print(
            f"{burst.requests:>8} {burst.capacity:>8} {burst.repeat:>3} {burst.placed:>4} {burst.client_errors:>4}"
            f" {burst.server_errors:>4} {burst.other:>5} {burst.enrolled:>8} {burst.waitlisted:>10}"
            f" {burst.overbooked:>10} {burst.burst_ms:>9.0f} {burst.ratio:>6.1f} {burst.p50_ms:>7.0f}"
            f" {burst.max_ms:>7.0f} {'-' if burst.cpu_ms is None else f'{burst.cpu_ms:.0f}':>7}"
            f"  {'ok' if not burst.problems else '; '.join(burst.problems)}"
        )
    for burst in ordered:
        strange = {answer: n for answer, n in burst.answers.items() if not answer.endswith(MY_COURSES)}
        if strange:
            print(f"  {burst.requests}x{burst.capacity} rep {burst.repeat} answers: {strange}")


def count_in_log(log_path: Path) -> dict[str, int]:
    text = log_path.read_text(errors="replace") if log_path.exists() else ""
    needles = ("Traceback", "database is locked", "OperationalError", "lock timeout", "WORKER TIMEOUT")
    return {needle: text.count(needle) for needle in needles}


# Main ---------------------------------------------------------------------------------------------


def parse_pairs(text: str) -> list[tuple[int, int]]:
    pairs = []
    for item in text.split(","):
        requests, _, capacity = item.strip().partition("x")
        if not (requests.isdigit() and capacity.isdigit() and int(capacity) >= 1 and 2 <= int(requests) <= 500):
            raise argparse.ArgumentTypeError(f"{item!r}: give REQUESTSxCAPACITY, e.g. 60x10")
        pairs.append((int(requests), int(capacity)))
    return pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, help="SQLite: use and keep this PEERPATH_DATA_DIR")
    parser.add_argument("--pairs", type=parse_pairs, default=parse_pairs(DEFAULT_PAIRS), help=f"({DEFAULT_PAIRS})")
    parser.add_argument("--repeats", type=int, default=3, help="bursts per pair, each on a fresh run (default 3)")
    parser.add_argument("--single", type=int, default=10, help="sequential enrolments for the baseline (default 10)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed bursts of 16x8 first (default 3)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    parser.add_argument("--port", type=int, default=8766, help="preferred port on 127.0.0.1 (a free one otherwise)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args()
    if not 1 <= args.repeats <= 100 or not 3 <= args.single <= 100 or not 1 <= args.warmup <= 20:
        parser.error("--repeats must be 1..100, --single 3..100 and --warmup 1..20")

    database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="peerpath-racebench-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": SETTINGS, "PEERPATH_DATA_DIR": str(data_dir)}
    warmup = (16, 8)
    participants = max([args.single, warmup[0], *(requests for requests, _ in args.pairs)])
    print(f"== enrolment race on {database} ({os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f})", flush=True)
    failed = True
    try:
        started = time.perf_counter()
        run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], env)
        helper = Helper(sys.executable, env, data_dir / "helper.log")
        try:
            made = helper.ask(cmd="setup", participants=participants)
            seconds = time.perf_counter() - started
            print(f"migrated and built {participants} participants ({made['prefix']}) in {seconds:.0f} s")
            port = free_port(args.port)
            log_path = data_dir / "gunicorn.log"
            with gunicorn(env, port, args.workers, args.threads, log_path) as master:
                print(f"gunicorn on http://{HOST}:{port} (log {log_path})", flush=True)
                # Every worker's first request builds its URLconf and templates (about a second here);
                # a few bursts make it unlikely that one worker is still cold when the timing starts.
                warm = [race(helper, port, master, *warmup, repeat=0) for _ in range(args.warmup)]
                answers = Counter[str]()
                for burst in warm:
                    answers.update(burst.answers)
                times = ", ".join(f"{burst.burst_ms:.0f}" for burst in warm)
                print(f"warm-up: {args.warmup} x {warmup[0]}x{warmup[1]}, {dict(answers)} ({times} ms)", flush=True)
                singles = baseline(helper, port, args.single)
                single_ms = statistics.median(singles)
                print(f"uncontended: {', '.join(f'{ms:.0f}' for ms in singles)} ms; median {single_ms:.0f}")
                bursts = []
                for repeat in range(1, args.repeats + 1):
                    for requests, capacity in args.pairs:
                        burst = race(helper, port, master, requests, capacity, repeat)
                        burst.ratio = burst.burst_ms / single_ms
                        bursts.append(burst)
                        verdict = "ok" if not burst.problems else "; ".join(burst.problems)
                        print(
                            f"  {requests}x{capacity} rep {repeat}: {burst.burst_ms:.0f} ms, {verdict}"
                            f" (load {os.getloadavg()[0]:.2f})",
                            flush=True,
                        )
        finally:
            helper.close()
        logged = count_in_log(log_path)
        report(database, bursts, single_ms, args.workers, args.threads)
        print(f"gunicorn log: {', '.join(f'{n} x {needle!r}' for needle, n in logged.items())}")
        failures = [burst for burst in [*warm, *bursts] if burst.problems]
        failed = bool(failures) or logged["Traceback"] > 0
        print(f"load average after: {os.getloadavg()[0]:.2f}")
        print("RESULT: " + ("FAILED" if failed else "exact, no 5xx"))
        if args.json:
            summary = {
                "database": database,
                "cpus": os.cpu_count(),
                "workers": args.workers,
                "threads": args.threads,
                "single_ms": round(single_ms, 2),
                "single_samples_ms": [round(ms, 2) for ms in singles],
                "warmup": [asdict(burst) for burst in warm],
                "bursts": [asdict(burst) for burst in bursts],
                "gunicorn_log": logged,
                "passed": not failed,
            }
            args.json.write_text(json.dumps(summary, indent=2))
    finally:
        if args.data_dir is None:
            if failed:
                print(f"kept {data_dir} for its logs")
            else:
                shutil.rmtree(data_dir, ignore_errors=True)
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
