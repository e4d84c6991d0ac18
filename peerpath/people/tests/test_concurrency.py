"""One record per human, even when two coordinators add the same carer at once.

Threads share the file-based test database (SQLite in IMMEDIATE mode, or
PostgreSQL), so this runs the real race: a check in Python alone would let two
inserts through; the unique constraint and the service's handling of it must not.
"""

from __future__ import annotations

import collections
import threading

import pytest
from django.db import connection

from peerpath.people import services
from peerpath.people.models import Membership, Person

THREADS = 8


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_concurrent_adds_of_the_same_email_create_exactly_one_person(attempt, actors, home_org):
    coordinator = actors["coordinator"].user
    barrier = threading.Barrier(THREADS)
    outcomes: collections.Counter[str] = collections.Counter()
    lock = threading.Lock()

    def add(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            services.create_person(
                actor=coordinator,
                details={"given_name": f"Try {index}", "family_name": "Same", "email": f"same.{attempt}@example.org"},
                membership=services.NewMembership(home_org, Membership.Role.PARTICIPANT),
            )
            outcome = "created"
        except services.DuplicateEmailError:
            outcome = "duplicate"
        except Exception as error:  # anything else is a failure the test must show
            outcome = repr(error)
        finally:
            connection.close()
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=add, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert outcomes == {"created": 1, "duplicate": THREADS - 1}
    assert Person.objects.filter(email=f"same.{attempt}@example.org").count() == 1
