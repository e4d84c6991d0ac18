"""Private iCalendar feeds (RFC 5545): a person's sessions, or one run's, at a secret address.

A feed's address carries a random token. Only the token's SHA-256 is stored
(``CalendarFeed.token_hash``), so the address is shown once, when it is made;
making a new one replaces the old, whose address then answers 404. Looking a
token up by its hash leaves no timing signal about stored tokens to compare.

Events are sessions. A session's UID comes from its id, never its time, so a
calendar that subscribed keeps one event per session; ``Session.sequence``
goes up whenever the session moves (``peerpath.delivery.sessions``), and
LAST-MODIFIED follows, so calendars replace the old time. Sessions of a
cancelled run stay in the feed as cancelled events (with SEQUENCE one higher,
as RFC 5546 asks of a cancellation), so subscribers see them go rather than
silently vanish.

An online room's joining link goes only to people with a confirmed place and
to facilitators (as ``Venue`` promises); someone holding an offer sees that the
session is online, not how to join.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from peerpath.core import audit
from peerpath.core.audit import Actor
from peerpath.delivery.access import visible_runs
from peerpath.delivery.models import (
    PLACE_HOLDING,
    CalendarFeed,
    CourseRun,
    Enrolment,
    FacilitatorAssignment,
    RunStatusChange,
    Session,
    Venue,
)
from peerpath.delivery.services import DeliveryError
from peerpath.people.models import Person

E = Enrolment.Status
# How often subscribers should fetch the feed again (REFRESH-INTERVAL, X-PUBLISHED-TTL)...
REFRESH = timedelta(hours=1)
# ...and how long a fetched copy may be kept (Cache-Control: private, max-age).
CACHE_SECONDS = 15 * 60
PRODID = "-//PeerPath//Session calendars//EN"
# People who see an online room's joining link: a confirmed place, now or in the past.
CONFIRMED = (E.ENROLLED, E.COMPLETED, E.DID_NOT_COMPLETE)
# A planned run may still change; a cancelled one will not happen.
EVENT_STATUS: dict[str, str] = {CourseRun.Status.PLANNED: "TENTATIVE", CourseRun.Status.CANCELLED: "CANCELLED"}


def event_uid(session_id: Any) -> str:
    """The session's UID in every feed it appears in: from its id, so it survives moves."""
    return f"session-{session_id}@peerpath"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_url(token: str) -> str:
    return settings.PEERPATH_SITE_URL + reverse("calendar:feed", kwargs={"token": token})


@dataclass(frozen=True)
class IssuedFeed:
    """A feed just made, with the token that is shown once and never stored."""

    feed: CalendarFeed
    token: str
    replaced: bool

    @property
    def url(self) -> str:
        return feed_url(self.token)

    @property
    def webcal_url(self) -> str:
        """The same address for phones and desktop calendars that subscribe on a tap (webcal://)."""
        return "webcal://" + self.url.split("://", 1)[1]


# Making and removing feeds -------------------------------------------------------------


def _issue(user: Any, scope: QuerySet[CalendarFeed], blank: CalendarFeed) -> IssuedFeed:
    """Give the feed in ``scope`` (or ``blank``) a new token; the old one stops working (inside ``atomic``)."""
    token = secrets.token_urlsafe(32)
    feed = scope.select_for_update().first()
    replaced = feed is not None
    feed = feed or blank
    feed.token_hash = hash_token(token)
    feed.created_by = user
    feed.created_at = timezone.now()
    try:
        with transaction.atomic():
            feed.save()
    except IntegrityError:
        # Two requests made the first feed at once; the other one won.
        raise DeliveryError("The calendar address was changed just now. Try again") from None
    return IssuedFeed(feed, token, replaced)


@transaction.atomic
def create_person_feed(*, actor: Actor, person: Person) -> IssuedFeed:
    """Make (or replace) the person's own calendar address; only they may, as only they see it."""
    user = audit.person_actor(actor)
    if person.user_id != user.pk:
        raise DeliveryError("Only the person themselves can make their calendar address")
    scope = CalendarFeed.objects.filter(person=person, run__isnull=True)
    issued = _issue(user, scope, CalendarFeed(person=person))
    audit.record(
        actor=actor,
        action="calendar_feed.created",
        target=issued.feed,
        data={"person": str(person.pk), "replaced": issued.replaced},
    )
    return issued


@transaction.atomic
def create_run_feed(*, actor: Actor, run: CourseRun) -> IssuedFeed:
    """Make (or replace) the actor's address for one run's sessions.

    The caller has checked that the actor may see the run; the feed keeps
    working only while they still may (``feed_for_token``).
    """
    user = audit.person_actor(actor)
    scope = CalendarFeed.objects.filter(run=run, created_by=user)
    issued = _issue(user, scope, CalendarFeed(run=run))
    audit.record(
        actor=actor,
        action="calendar_feed.created",
        target=issued.feed,
        data={"run": str(run.pk), "replaced": issued.replaced},
    )
    return issued


@transaction.atomic
def revoke_feed(*, actor: Actor, feed: CalendarFeed) -> None:
    """Delete a feed: its address answers 404 from now on. Only whoever it belongs to may."""
    user = audit.person_actor(actor)
    owner = feed.created_by_id if feed.run_id else getattr(feed.person, "user_id", None)
    if owner != user.pk:
        raise DeliveryError("Only the person who made this calendar address can delete it")
    data = {"run": str(feed.run_id)} if feed.run_id else {"person": str(feed.person_id)}
    audit.record(actor=actor, action="calendar_feed.revoked", target=feed, data=data)
    CalendarFeed.objects.filter(pk=feed.pk).delete()


def person_feed(person: Person) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(person=person, run__isnull=True).first()


def run_feed(run: CourseRun, user: Any) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(run=run, created_by=user).first()


def feed_for_token(token: str) -> CalendarFeed | None:
    """The feed behind an address, or None (unknown token, or a run feed whose maker lost sight of the run)."""
    feed = (
        CalendarFeed.objects.select_related("created_by", "run__version__course", "run__term")
        .filter(token_hash=hash_token(token))
        .first()
    )
    if feed is None or feed.run is None:
        return feed
    maker = feed.created_by
    if not maker.is_active or not visible_runs(maker).filter(pk=feed.run.pk).exists():
        return None
    return feed


# Reading: which sessions, in one query each ----------------------------------------------


def _with_details(sessions: QuerySet[Session]) -> QuerySet[Session]:
    cancelled = RunStatusChange.objects.filter(run_id=OuterRef("run_id"), to_status=CourseRun.Status.CANCELLED)
    return (
        sessions.select_related("venue", "run__version__course", "run__organisation")
        .annotate(cancelled_at=Subquery(cancelled.order_by("-changed_at").values("changed_at")[:1]))
        .order_by("starts_at", "pk")
    )


def person_sessions(person_id: Any) -> QuerySet[Session]:
    """Sessions of runs where the person has a place (not withdrawn or waiting), and sessions they facilitate.

    Facilitating is a run-level assignment (every session of the run) or a
    session-level one (that session). Each session carries ``show_link``: the
    person may see its online room's joining link. One query, however many sessions.
    """
    places = Enrolment.objects.filter(person_id=person_id, status__in=PLACE_HOLDING).values("run_id")
    confirmed = Enrolment.objects.filter(person_id=person_id, status__in=CONFIRMED).values("run_id")
    mine = FacilitatorAssignment.objects.filter(person_id=person_id)
    facilitates = Q(run_id__in=mine.filter(session__isnull=True).values("run_id")) | Q(
        pk__in=mine.filter(session__isnull=False).values("session_id")
    )
    return _with_details(Session.objects.filter(Q(run_id__in=places) | facilitates)).annotate(
        show_link=ExpressionWrapper(Q(run_id__in=confirmed) | facilitates, output_field=BooleanField())
    )


def run_sessions(run: CourseRun) -> QuerySet[Session]:
    """Every session of the run, for its staff: joining links shown."""
    return _with_details(Session.objects.filter(run_id=run.pk)).annotate(
        show_link=ExpressionWrapper(Q(pk__isnull=False), output_field=BooleanField())
    )


def feed_name(feed: CalendarFeed) -> str:
    if feed.run is not None:
        return f"{feed.run.version.course.title} ({feed.run.term.name})"
    return f"My {settings.PEERPATH_SERVICE_NAME} sessions"


def render_feed(feed: CalendarFeed) -> bytes:
    """The feed's iCalendar text: a person's sessions or a run's, as of now."""
    sessions = run_sessions(feed.run) if feed.run is not None else person_sessions(feed.person_id)
    return build_calendar(feed_name(feed), sessions)


# Writing iCalendar -------------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _location(venue: Venue | None, show_link: bool) -> str:
    if venue is None:
        return ""
    if venue.online:
        return venue.joining_link if show_link and venue.joining_link else f"{venue.name} (online)"
    lines = [line.strip() for line in venue.address.splitlines() if line.strip()]
    return ", ".join([venue.name, *lines, *([venue.postcode] if venue.postcode else [])])


def _description(session: Session, show_link: bool) -> str:
    run = session.run
    parts = [f"Session {session.number} of {run.version.course.title}, run by {run.organisation.name}."]
    venue = session.venue
    if venue is not None and venue.online:
        if show_link and venue.joining_link:
            parts.append(f"Join online: {venue.joining_link}")
        else:
            parts.append("Online. The joining link is for people with a confirmed place.")
    elif venue is not None and venue.accessibility_notes:
        parts.append(f"Access: {venue.accessibility_notes}")
    if run.status == CourseRun.Status.CANCELLED:
        parts.append("This course run has been cancelled.")
    return "\n\n".join(parts)


def session_event(session: Session) -> Event:
    """One session as a VEVENT; the session needs ``_with_details``' annotations and ``show_link``."""
    run = session.run
    show_link = bool(getattr(session, "show_link", False))
    cancelled_at: datetime | None = getattr(session, "cancelled_at", None)
    changed = max(filter(None, (session.updated_at, cancelled_at)))
    status = EVENT_STATUS.get(run.status, "CONFIRMED")
    event = Event()
    event.add("uid", event_uid(session.pk))
    # Without a METHOD, DTSTAMP means the same as LAST-MODIFIED (RFC 5545, 3.8.7.2).
    event.add("dtstamp", _utc(changed))
    event.add("last-modified", _utc(changed))
    event.add("sequence", session.sequence + (1 if status == "CANCELLED" else 0))
    event.add("dtstart", _utc(session.starts_at))
    event.add("dtend", _utc(session.ends_at))
    event.add("summary", f"{run.version.course.title}: {session.topic}")
    location = _location(session.venue, show_link)
    if location:
        event.add("location", location)
    event.add("description", _description(session, show_link))
    event.add("status", status)
    return event


def build_calendar(name: str, sessions: Iterable[Session]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", f"PT{int(REFRESH.total_seconds() // 3600)}H")
    for session in sessions:
        calendar.add_component(session_event(session))
    return calendar.to_ical()
