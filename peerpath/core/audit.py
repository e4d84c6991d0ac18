"""Writing audit events from services.

Every service that changes state calls :func:`record` inside its own
``transaction.atomic`` block, so the event and the change commit or roll back
together. There is deliberately no signal-based capture: signals miss bulk writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from django.contrib.auth.models import User
from django.db import connection, models

from peerpath.core.models import AuditEvent


@dataclass(frozen=True)
class SystemActor:
    """A named background job or command acting without a person behind it."""

    name: str

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("A system actor needs a name.")

    def __str__(self) -> str:
        return self.name


Actor: TypeAlias = User | SystemActor


class MissingActorError(ValueError):
    """Raised when a service is called without someone to answer for it."""


class NotInTransactionError(RuntimeError):
    """Raised when an audit event would be written outside the change's transaction."""


def check_actor(actor: object) -> Actor:
    """Return the actor if it is a real, signed-in user or a named system job."""
    if isinstance(actor, SystemActor):
        return actor
    if isinstance(actor, User) and actor.pk is not None:
        return actor
    raise MissingActorError("Services need an actor: a signed-in user or a named system job.")


def attribution(actor: Actor) -> dict[str, Any]:
    """``changed_by`` and ``changed_by_label`` for a history row: the user, or no user and the job's name."""
    return {"changed_by": None if isinstance(actor, SystemActor) else actor, "changed_by_label": str(actor)}


def person_actor(actor: object) -> User:
    """Return the actor if it is a real user; a system job cannot make this change."""
    checked = check_actor(actor)
    if isinstance(checked, SystemActor):
        raise MissingActorError(f"A person must make this change, not the system job {checked.name!r}.")
    return checked


def record(
    *,
    actor: Actor,
    action: str,
    target: models.Model | None = None,
    data: Mapping[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Write one audit event. Must run inside the caller's ``transaction.atomic``.

    ``data`` is for identifiers and field names, never for personal values:
    the log outlives erasure of the people it mentions.
    """
    actor = check_actor(actor)
    if not connection.in_atomic_block:
        raise NotInTransactionError(f"Audit event {action!r} must be written inside the service's transaction.")
    if isinstance(actor, SystemActor):
        user, label = None, f"system:{actor.name}"
    else:
        user, label = actor, actor.get_username()
    return AuditEvent.objects.create(
        actor=user,
        actor_label=label,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=dict(data or {}),
        ip_address=ip_address,
    )
