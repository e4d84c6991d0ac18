"""Programmes made before the 'served' term existed keep saying what their pages said."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from peerpath.people.tests.factories import OrganisationFactory
from peerpath.programmes.models import Programme

served_migration = importlib.import_module("peerpath.programmes.migrations.0002_programme_served")


@pytest.mark.django_db
def test_an_older_programme_serves_its_people_of_its_cared_for_group() -> None:
    owner = OrganisationFactory()
    dementia = Programme.objects.create(
        owner=owner, code="dementia", name="Dementia", people="carers", cared_for_group="people living with dementia"
    )
    default = Programme.objects.create(owner=owner, code="default", name="Default")

    served_migration.served_from_the_other_words(apps, None)

    dementia.refresh_from_db()
    default.refresh_from_db()
    assert dementia.served == "carers of people living with dementia"
    assert default.served == "carers of people with mental health problems"
