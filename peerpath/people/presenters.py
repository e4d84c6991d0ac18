"""Formatting people records for display."""

from __future__ import annotations

from peerpath.people.models import Person


def person_summary_rows(person: Person) -> list[dict[str, dict[str, str]]]:
    """Rows for the NHS.UK summary list on the person page."""

    def row(key: str, value: str) -> dict[str, dict[str, str]]:
        return {"key": {"text": key}, "value": {"text": value or "Not recorded"}}

    return [
        row("Name", person.full_name),
        row("Preferred name", person.preferred_name),
        row("Email address", person.email),
        row("Phone number", person.phone),
        row("Date of birth", person.date_of_birth.strftime("%-d %B %Y") if person.date_of_birth else ""),
        row("Postcode", person.postcode),
        row("Borough", person.area.name if person.area else ""),
        row("Has a login", "Yes" if person.user_id else "No"),
    ]
