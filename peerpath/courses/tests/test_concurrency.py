"""Concurrent approval of the same version approves it once.

Threads share the file-based test database (SQLite in IMMEDIATE mode, or
PostgreSQL), so the real race runs: each thread loads the draft, checks it,
then approves. The conditional UPDATE and the one-approved-version constraint
must leave exactly one approval, one audit event and one status change.
"""

from __future__ import annotations

import collections
import threading

import pytest
from django.db import connection

from peerpath.core.models import AuditEvent
from peerpath.courses import services
from peerpath.courses.models import Course, CourseVersion
from peerpath.courses.tests.factories import CourseFactory, CourseVersionFactory, OutlineSessionFactory

THREADS = 8


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_concurrent_approvals_approve_once(attempt, actors, home_org):
    coordinator = actors["coordinator"].user
    course = CourseFactory(owner=home_org, status=Course.Status.IN_COPRODUCTION, session_count=1)
    draft = CourseVersionFactory(course=course, number=1, created_by=coordinator)
    OutlineSessionFactory(version=draft, number=1)
    barrier = threading.Barrier(THREADS)
    outcomes: collections.Counter[str] = collections.Counter()
    lock = threading.Lock()

    def approve() -> None:
        try:
            version = CourseVersion.objects.get(pk=draft.pk)
            barrier.wait(timeout=10)
            services.approve_version(actor=coordinator, version=version)
            outcome = "approved"
        except services.CourseError:
            outcome = "refused"
        except Exception as error:  # anything else is a failure the test must show
            outcome = repr(error)
        finally:
            connection.close()
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=approve) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert outcomes == {"approved": 1, "refused": THREADS - 1}
    assert course.versions.filter(status=CourseVersion.Status.APPROVED).count() == 1
    assert AuditEvent.objects.filter(action="course_version.approved", target_id=str(draft.pk)).count() == 1
    assert course.status_changes.filter(to_status=Course.Status.APPROVED).count() == 1
