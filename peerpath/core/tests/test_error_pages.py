"""NHS-style error pages: plain words, the service's layout, the right status."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from peerpath.core import views
from peerpath.people.models import Person


def test_unknown_address_gives_the_nhs_page_not_found(client, db):
    response = client.get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in body
    assert "If you typed the web address, check it is correct." in body


def test_a_wrong_role_gives_the_permission_page_with_a_way_back(participant_client):
    response = participant_client.get(reverse("people:person_list"))
    body = response.content.decode()
    assert response.status_code == 403
    assert "You do not have permission to see this page" in body
    assert reverse("core:start") in body


def test_server_error_page_renders_without_a_request_context(db):
    response = views.server_error(RequestFactory().get("/"))
    body = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in body
    assert "Anything you had already saved has not been lost." in body


def test_a_post_without_its_form_token_explains_that_the_form_expired(db):
    response = Client(enforce_csrf_checks=True).post(reverse("accounts:login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Your form has expired" in response.content.decode()


@override_settings(PEERPATH_MAX_REQUEST_BYTES=2000)
def test_an_upload_beyond_the_request_ceiling_is_refused_before_it_is_read(coordinator_client):
    big = SimpleUploadedFile("slides.pdf", b"%PDF-" + b"0" * 4000)
    response = coordinator_client.post(reverse("people:person_create"), {"given_name": "Ada", "file": big})
    assert response.status_code == 400
    assert "The file is too large" in response.content.decode()
    assert not Person.objects.filter(given_name="Ada").exists()


@override_settings(PEERPATH_MAX_REQUEST_BYTES=20000)
def test_uploads_under_the_ceiling_reach_the_view(coordinator_client):
    small = SimpleUploadedFile("slides.pdf", b"%PDF-" + b"0" * 100)
    response = coordinator_client.post(reverse("people:person_create"), {"given_name": "Ada", "file": small})
    assert response.status_code == 400  # the form's own errors: the request itself was read
    assert "There is a problem" in response.content.decode()
