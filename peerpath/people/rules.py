"""Named permission rules for people records (django-rules).

Role rules take no object. Object rules expect a Person fetched through
``peerpath.people.access.access_person``, which has already limited the user to
people in scope; they decide what the user may *do* with that person.
"""

from __future__ import annotations

from typing import Any

import rules

from peerpath.people.access import principal_for
from peerpath.people.models import Membership


@rules.predicate
def is_administrator(user: Any) -> bool:
    return principal_for(user).is_administrator


@rules.predicate
def is_coordinator(user: Any) -> bool:
    return principal_for(user).has_role(Membership.Role.COORDINATOR)


@rules.predicate
def is_self(user: Any, person: Any) -> bool:
    return person is not None and principal_for(user).person_id == person.pk


@rules.predicate
def coordinates_person(user: Any, person: Any) -> bool:
    if person is None:
        return False
    annotated = getattr(person, "viewer_coordinates", None)
    if annotated is not None:
        return bool(annotated)
    organisations = principal_for(user).organisations(Membership.Role.COORDINATOR)
    return Membership.objects.current().filter(person=person, organisation_id__in=organisations).exists()


is_staff_manager = is_administrator | is_coordinator

rules.add_perm("people.list_people", is_staff_manager)
rules.add_perm("people.add_person_record", is_staff_manager)
rules.add_perm("people.view_person_record", is_administrator | coordinates_person | is_self)
rules.add_perm("people.edit_person_record", is_administrator | coordinates_person)
rules.add_perm("people.view_consents", is_administrator | coordinates_person | is_self)
rules.add_perm("people.record_consent", is_administrator | coordinates_person | is_self)
# The answers are the person's own (the view checks that); staff may only type in a paper form.
rules.add_perm("people.record_equality_monitoring_for", is_administrator | coordinates_person)
