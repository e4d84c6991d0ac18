"""The public verification page of an award: what anyone holding the code may learn, and nothing more.

A certificate prints the award's verification code and the address
``/verify/<code>/``. Whoever has the code (an employer, a Recovery College) can
check there that the award is genuine and still valid. The page is public, so
what it may show is decided here, once: :func:`public_view` returns a
:class:`PublicAward` holding only

- the holder's name, and only while their latest decision for the purpose
  ``Consent.Purpose.VERIFICATION`` is "given";
- the scheme's name;
- the dates of the award period;
- its standing today, in words a member of the public understands.

The template gets that dataclass and nothing else, so it cannot reach the
holder's contact details, their organisation, the granter or the award's id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.urls import reverse

from peerpath.accreditation.lifecycle import Standing, standing
from peerpath.accreditation.models import VERIFICATION_ALPHABET, Award
from peerpath.courses.presenters import format_day
from peerpath.people.models import Consent, Person

CODE_LENGTH = 16
GROUP = 4
# What people type between the groups: spaces and dashes of any kind.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015_]+")
# Crockford's base32 reads the letters people confuse with digits as those digits.
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


def normalise_code(text: str) -> str | None:
    """The canonical form of a typed verification code (``K7QF-2M9X-TR4P-8WZD``), or None if it cannot be one.

    Accepts lower case, spaces, missing or extra dashes, and O, I or L for 0, 1 and 1.
    """
    characters = _SEPARATORS.sub("", text[:100]).upper().translate(_LOOK_ALIKES)
    if len(characters) != CODE_LENGTH or any(character not in VERIFICATION_ALPHABET for character in characters):
        return None
    return "-".join(characters[i : i + GROUP] for i in range(0, CODE_LENGTH, GROUP))


def find_award(code: str) -> Award | None:
    """The award with this canonical code, with its holder's verification consent in force (one query).

    ``name_consent`` is the decision ("given", "withdrawn") of the holder's latest
    consent for the verification purpose, or None if they never decided.
    """
    latest_decision = (
        Consent.objects.filter(person=OuterRef("holder_id"), purpose=Consent.Purpose.VERIFICATION)
        .order_by("-recorded_at")
        .values("decision")[:1]
    )
    return (
        Award.objects.filter(verification_code=code)
        .select_related("holder", "scheme")
        .only(
            "status",
            "valid_from",
            "valid_until",
            "verification_code",
            "holder__given_name",
            "holder__family_name",
            "holder__preferred_name",
            "scheme__name",
            "scheme__grace_days",
            "scheme__expiring_soon_days",
        )
        .annotate(name_consent=Subquery(latest_decision))
        .first()
    )


def verification_url(award: Award) -> str:
    """The award's public verification address, as its certificate prints it and its credential's ``id`` names it."""
    return settings.PEERPATH_SITE_URL + reverse("verify:award", kwargs={"code": award.verification_code})


def holder_name(person: Person) -> str:
    """The name printed on a certificate and shown (with consent) on its verification page: the one they go by."""
    return person.display_name


@dataclass(frozen=True)
class StandingWords:
    tag: str
    tag_colour: str
    sentence: str


@dataclass(frozen=True)
class PublicAward:
    """Everything the public verification page shows; ``holder_name`` is None when the holder chose not to be named."""

    code: str
    holder_name: str | None
    scheme_name: str
    valid_from: str
    valid_until: str | None
    standing: Standing
    words: StandingWords
    checked_on: str


def standing_words(state: Standing, valid_from: date, valid_until: date | None, today: date) -> StandingWords:
    """The standing as a member of the public would say it: valid, no longer valid, suspended or revoked.

    A renewal granted early starts after today; ``standing`` counts it as active, but the
    public is told it is not valid yet.
    """
    until = format_day(valid_until) if valid_until else ""
    if state.lets_facilitate and today < valid_from:
        return StandingWords(
            "Not valid yet",
            "nhsuk-tag--blue",
            f"This award starts on {format_day(valid_from)}. It is not valid before then.",
        )
    if state is Standing.ACTIVE:
        sentence = f"This award is valid until {until}." if until else "This award is valid. It does not expire."
        return StandingWords("Valid", "nhsuk-tag--green", sentence)
    if state is Standing.EXPIRING_SOON:
        return StandingWords(
            "Valid", "nhsuk-tag--green", f"This award is still valid until {until}. It ends soon unless it is renewed."
        )
    if state in (Standing.IN_GRACE, Standing.EXPIRED):
        return StandingWords(
            "No longer valid", "nhsuk-tag--grey", f"This award ended on {until}. It is no longer valid."
        )
    if state is Standing.SUSPENDED:
        return StandingWords(
            "Suspended",
            "nhsuk-tag--orange",
            "This award is suspended. It is not valid while it is suspended.",
        )
    return StandingWords(
        "Revoked", "nhsuk-tag--red", "This award has been revoked (taken back). It is no longer valid."
    )


def public_view(award: Award, today: date) -> PublicAward:
    """What the verification page may show about ``award`` on ``today`` (no queries: use :func:`find_award`)."""
    state = standing(award, today)
    named = getattr(award, "name_consent", None) == Consent.Decision.GIVEN
    return PublicAward(
        code=award.verification_code,
        holder_name=holder_name(award.holder) if named else None,
        scheme_name=award.scheme.name,
        valid_from=format_day(award.valid_from),
        valid_until=format_day(award.valid_until) if award.valid_until else None,
        standing=state,
        words=standing_words(state, award.valid_from, award.valid_until, today),
        checked_on=format_day(today),
    )
