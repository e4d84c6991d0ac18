"""Issuing an award's Open Badges 3.0 credential: built once, signed once, kept as signed.

``issue_credential(award)`` is lazy and idempotent: the first download signs the
credential and stores it; later ones return the stored one, so the holder always
gets the same bytes. A later suspension or revocation does not touch it; it shows
in the status lists at the credential's position.

What the credential says (OB 3.0 on the VC Data Model 2.0):

- ``id``: the award's public verification page, ``{site}/verify/<code>/``.
- ``issuer``: a Profile whose id is PeerPath's did:web. Its name is the
  accreditation programme, not an organisation: one key signs for every
  organisation on the site, and an award records no organisation.
- ``validFrom``/``validUntil``: the first moment of the award's first day and the
  last second of its end date, where PeerPath is.
- ``credentialSubject``: an AchievementSubject identified only by a salted SHA-256
  hash of the holder's email address (lower-cased), never by name.
- the Achievement: the scheme, with criteria written from its requirement numbers
  and one alignment per competency of its framework.
- ``credentialStatus``: a revocation and a suspension ``BitstringStatusListEntry``.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from peerpath.accreditation.awards import AccreditationError
from peerpath.accreditation.credentials import did, keys, status_list
from peerpath.accreditation.credentials.signing import (
    CREDENTIALS_V2,
    MEDIA_TYPE,
    end_of,
    sign_credential,
    start_of,
    timestamp,
)
from peerpath.accreditation.models import Award, Competency, Credential, Scheme
from peerpath.accreditation.verification import verification_url
from peerpath.core import audit
from peerpath.core.audit import Actor, SystemActor

OPEN_BADGES_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
ISSUING = SystemActor("credential issuing")
# Tries at a random free position before giving up (each is one indexed lookup).
POSITION_TRIES = 32


def issuer_name() -> str:
    return f"{settings.PEERPATH_SERVICE_NAME} accreditation programme"


def achievement_id(scheme: Scheme) -> str:
    return f"{settings.PEERPATH_SITE_URL}/credentials/achievements/{scheme.code}/"


def framework_url(scheme: Scheme) -> str:
    framework = scheme.framework
    return f"{settings.PEERPATH_SITE_URL}/credentials/frameworks/{framework.code}/v{framework.version}/"


def _plural(count: int, one: str, many: str | None = None) -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


def criteria_narrative(scheme: Scheme, competency_count: int, training_courses: list[str]) -> str:
    """What the scheme asks, in plain words (Markdown), from its requirement numbers."""
    courses = f" ({', '.join(training_courses)})" if training_courses else ""
    lines = [f"- Complete a Train the Trainer course{courses}, attending at least {scheme.attendance_percent}% of it."]
    if scheme.observations_required:
        observed = _plural(scheme.observations_required, "session")
        lines.append(f"- Be observed co-delivering {observed} by an accredited assessor, rated competent.")
    if scheme.every_competency_evidenced:
        lines.append(
            f"- Evidence each of the framework's {_plural(competency_count, 'competency', 'competencies')}, "
            "through accepted portfolio entries or an observation."
        )
    if scheme.reflections_required:
        lines.append(f"- Have {_plural(scheme.reflections_required, 'written reflection')} accepted by an assessor.")
    if scheme.supervisions_required:
        lines.append(f"- Record {_plural(scheme.supervisions_required, 'supervision session')}.")
    text = "To hold this award, a carer must:\n\n" + "\n".join(lines)
    if scheme.validity_months:
        text += f"\n\nThe award lasts {_plural(scheme.validity_months, 'month')}"
        renewal = []
        if scheme.renewal_sessions_delivered:
            renewal.append(f"{_plural(scheme.renewal_sessions_delivered, 'session')} delivered")
        if scheme.renewal_supervisions:
            renewal.append(_plural(scheme.renewal_supervisions, "supervision session"))
        if scheme.renewal_cpd_hours:
            renewal.append(f"{scheme.renewal_cpd_hours.normalize():f} hours of continuing development")
        text += f" and is renewed with {', '.join(renewal)} in that time." if renewal else "."
    return text


def _alignment(competency: Competency, scheme: Scheme) -> dict[str, Any]:
    framework = scheme.framework
    description = competency.statement
    if competency.reference:
        description += f" Referenced to {competency.reference}, {competency.domain_name}."
    return {
        "type": ["Alignment"],
        "targetCode": competency.code,
        "targetName": competency.title,
        "targetDescription": description,
        "targetFramework": f"{framework.name} (version {framework.version})",
        "targetUrl": f"{framework_url(scheme)}#{competency.code}",
    }


def identity_object(email: str, salt: str) -> dict[str, Any]:
    """OB 3.0 IdentityObject: ``sha256$`` + hex SHA-256 of the lower-cased address followed by the salt."""
    digest = hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()
    return {
        "type": "IdentityObject",
        "identityHash": f"sha256${digest}",
        "identityType": "emailAddress",
        "hashed": True,
        "salt": salt,
    }


def build_credential(award: Award, *, salt: str, status_index: int) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential for ``award`` (two queries: competencies, training courses)."""
    scheme = award.scheme
    competencies = list(Competency.objects.filter(framework_id=scheme.framework_id).order_by("order", "code"))
    courses = list(scheme.training_courses.order_by("title").values_list("title", flat=True))
    achievement = {
        "id": achievement_id(scheme),
        "type": ["Achievement"],
        "achievementType": "Certification",
        "name": scheme.name,
        "description": scheme.description or scheme.get_grants_display(),
        "criteria": {"narrative": criteria_narrative(scheme, len(competencies), courses)},
        "alignment": [_alignment(competency, scheme) for competency in competencies],
    }
    credential: dict[str, Any] = {
        "@context": [CREDENTIALS_V2, OPEN_BADGES_V3],
        "id": verification_url(award),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": scheme.name,
        "issuer": {
            "id": did.issuer_did(),
            "type": ["Profile"],
            "name": issuer_name(),
            "url": settings.PEERPATH_SITE_URL,
        },
        "validFrom": timestamp(start_of(award.valid_from)),
        "awardedDate": timestamp(award.granted_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [identity_object(award.holder.email, salt)],
            "achievement": achievement,
        },
        "credentialStatus": [status_list.entry(purpose, status_index) for purpose in status_list.PURPOSES],
    }
    if award.valid_until is not None:
        credential["validUntil"] = timestamp(end_of(award.valid_until))
    return credential


def enveloped(credential: Credential) -> dict[str, Any]:
    """The credential as a VCDM 2.0 EnvelopedVerifiableCredential (what the holder downloads as JSON)."""
    return {
        "@context": [CREDENTIALS_V2],
        "id": f"data:{MEDIA_TYPE},{credential.token}",
        "type": "EnvelopedVerifiableCredential",
    }


def _refuse_unless_issuable(award: Award) -> None:
    if award.status == Award.Status.REVOKED:
        raise AccreditationError("This award has been revoked, so it has no badge to download")
    if award.status == Award.Status.SUSPENDED:
        raise AccreditationError("This award is suspended. Its badge can be downloaded again if it is reinstated")


def _free_position() -> int:
    """A random position no credential holds (positions say nothing about issue order)."""
    for _ in range(POSITION_TRIES):
        candidate = secrets.randbelow(status_list.LIST_LENGTH)
        if not Credential.objects.filter(status_index=candidate).exists():
            return candidate
    raise AccreditationError("The status lists are full: ask an administrator to start a new list")


def issue_credential(award: Award, *, actor: Actor = ISSUING) -> Credential:
    """The award's signed credential: the stored one, or a new one signed with the current key.

    Refuses (AccreditationError) for revoked and suspended awards, holders without an
    email address and when there is no key to sign with. Runs in one transaction with
    the award row locked, so two downloads at once make one credential.
    """
    with transaction.atomic():
        locked = Award.objects.select_for_update().select_related("holder", "scheme__framework").get(pk=award.pk)
        _refuse_unless_issuable(locked)
        existing = Credential.objects.filter(award=locked).first()
        if existing is not None:
            return existing
        if not locked.holder.email.strip():
            raise AccreditationError(
                "The badge is tied to your email address, and your record has none. Ask your coordinator to add it"
            )
        key = keys.signing_key()
        if key is None:
            raise AccreditationError(
                "PeerPath cannot sign badges yet because it has no signing key. Ask an administrator to set one up"
            )
        salt = secrets.token_hex(16)
        for _ in range(3):
            position = _free_position()
            signed_at = timezone.now()
            document = build_credential(locked, salt=salt, status_index=position)
            try:
                with transaction.atomic():
                    credential = Credential.objects.create(
                        award=locked,
                        status_index=position,
                        key_id=did.verification_method(key.key_id),
                        token=sign_credential(document, key, signed_at=signed_at),
                        issued_at=signed_at,
                    )
                break
            except IntegrityError:
                continue  # another award took that position at the same moment: pick again
        else:
            raise AccreditationError("The badge could not be made just now. Try again")
        audit.record(actor=actor, action="credential.issued", target=locked, data={"key": key.key_id})
    return credential
