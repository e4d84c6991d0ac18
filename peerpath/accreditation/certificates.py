"""What a printed certificate says: the holder, the award, who awarded it and how to check it.

The certificate is the holder's own document, so it names them whatever they
chose about the public verification page; whoever they show it to can follow
the printed address (or scan the QR code) to see whether it is still valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import segno
from django.conf import settings
from django.utils import timezone

from peerpath.accreditation.lifecycle import Standing, standing
from peerpath.accreditation.models import Award, Competency
from peerpath.accreditation.verification import holder_name, verification_url
from peerpath.core.pdf import safe_pdf_filename
from peerpath.courses.presenters import format_day
from peerpath.people.models import Membership

# Standings that stop a certificate being printed, and why, in words for the person asking.
REFUSALS = {
    Standing.SUSPENDED: (
        "This award is suspended, so its certificate cannot be printed. "
        "If the award is reinstated, you can print the certificate again."
    ),
    Standing.REVOKED: "This award has been revoked, so it has no certificate.",
}


def refusal(award: Award, today: date) -> str | None:
    """Why ``award`` has no certificate on ``today`` (suspended or revoked), or None when it can be printed.

    An expired award's certificate can still be printed: it states its dates, and the
    verification page says it is no longer valid.
    """
    return REFUSALS.get(standing(award, today))


def qr_data_url(text: str) -> str:
    """A QR code of ``text`` as an SVG ``data:`` URL (the PDF renderer loads nothing from the network)."""
    # Medium error correction survives a crease or a smudge on a printed page.
    return str(segno.make(text, error="m").svg_data_uri(scale=4, border=4, dark="#212b32"))


def awarding_organisation(award: Award) -> str:
    """The organisation named as awarding the certificate (one query).

    The award is the granter's decision as an assessor, and an assessor assesses for an
    organisation: the one named is where the granter was an assessor on the day they
    granted it and the holder was a member too (the first by name, if several). An
    administrator acts for the programme rather than for an organisation, so an award
    they granted names the holder's own organisation that day. If neither is known,
    the service's name.
    """
    granted_on = timezone.localdate(award.granted_at)
    memberships = (
        Membership.objects.current(granted_on)
        .filter(person_id__in=[award.holder_id, award.granted_by_id])
        .order_by("organisation__name")
        .values_list("person_id", "role", "organisation__name")
    )
    holders: list[str] = []
    assessing: list[str] = []
    for person_id, role, organisation in memberships:
        if person_id == award.holder_id:
            holders.append(organisation)
        elif role == Membership.Role.ASSESSOR:
            assessing.append(organisation)
    both = [name for name in assessing if name in holders]
    if both:
        return both[0]
    if holders:
        return holders[0]
    return str(settings.PEERPATH_SERVICE_NAME)


@dataclass(frozen=True)
class Certificate:
    holder_name: str
    scheme_name: str
    framework_name: str
    valid_from: str
    valid_until: str | None
    competences: list[str]
    organisation: str
    verification_url: str
    verification_code: str
    qr_code: str
    filename: str


def certificate_for(award: Award) -> Certificate:
    """Everything the certificate prints, for an award fetched with its holder and scheme (three queries)."""
    framework = award.scheme.framework
    competences = list(
        Competency.objects.filter(framework_id=award.scheme.framework_id)
        .order_by("order", "code")
        .values_list("title", flat=True)
    )
    url = verification_url(award)
    name = holder_name(award.holder)
    return Certificate(
        holder_name=name,
        scheme_name=award.scheme.name,
        framework_name=framework.name,
        valid_from=format_day(award.valid_from),
        valid_until=format_day(award.valid_until) if award.valid_until else None,
        competences=competences,
        organisation=awarding_organisation(award),
        verification_url=url,
        verification_code=award.verification_code,
        qr_code=qr_data_url(url),
        filename=safe_pdf_filename(f"{award.scheme.name} certificate {name}"),
    )
