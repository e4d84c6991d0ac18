"""Open Badges 3.0 credentials: issued, signed, verified independently (PyJWT), revoked and baked.

Verification here never uses PeerPath's signing code: keys come from the DID document
fetched through the test client, signatures are checked with PyJWT, and status lists are
decoded with gzip and base64 by hand.
"""

from __future__ import annotations

import base64
import datetime
import gzip
import hashlib
import io
import json
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from peerpath.accreditation import lifecycle
from peerpath.accreditation.awards import AccreditationError
from peerpath.accreditation.credentials import issuing, keys
from peerpath.accreditation.models import Award, Competency, Credential, Scheme
from peerpath.core.models import AuditEvent
from peerpath.people.models import Membership, Person
from peerpath.people.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
OB_CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]


@pytest.fixture(autouse=True)
def key_dir(settings, tmp_path):
    """Each test its own key folder, so rotating and retiring here touches no other test."""
    settings.PEERPATH_CREDENTIAL_KEY_DIR = tmp_path / "keys"
    settings.PEERPATH_SITE_URL = "https://peerpath.example.org"
    return tmp_path / "keys"


@pytest.fixture
def signing_key(key_dir) -> str:
    return keys.create_key()


@pytest.fixture
def scheme() -> Scheme:
    return Scheme.objects.get(code="carer-peer-trainer-rc")


def make_award(holder: Person, scheme: Scheme, granter: Person) -> Award:
    today = timezone.localdate()
    return Award.objects.create(
        holder=holder,
        scheme=scheme,
        valid_from=today - datetime.timedelta(days=30),
        valid_until=today + datetime.timedelta(days=700),
        granted_by=granter,
    )


@pytest.fixture
def award(actors, scheme) -> Award:
    """The peer tutor's award, granted by the assessor."""
    return make_award(actors["peer_tutor"].person, scheme, actors["assessor"].person)


@pytest.fixture
def holder_client(actors) -> Client:
    return actors["peer_tutor"].client


def did_keys(client: Client) -> dict[str, Any]:
    """Verification method id → public key, from the published DID document."""
    response = client.get(reverse("issuer:did_document"))
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["id"] == "did:web:peerpath.example.org"
    methods = {method["id"]: method for method in document["verificationMethod"]}
    assert set(document["assertionMethod"]) == set(methods)
    return {vm_id: jwt.PyJWK(method["publicKeyJwk"], algorithm="EdDSA").key for vm_id, method in methods.items()}


def verify(token: str, client: Client | None = None) -> dict[str, Any]:
    """What a third party does: read kid, find it in the DID document, check the EdDSA signature."""
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "EdDSA"
    published = did_keys(client or Client())
    if header["kid"] not in published:
        raise LookupError(f"{header['kid']} is not in the issuer's DID document")
    return jwt.decode(token, key=published[header["kid"]], algorithms=["EdDSA"])


def decoded_bits(encoded: str) -> bytes:
    assert encoded.startswith("u")
    body = encoded[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def bit(bits: bytes, index: int) -> bool:
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_bit(purpose: str, index: int) -> bool:
    """Fetch the list anonymously, verify it like any verifier, decode it and read one bit."""
    response = Client().get(reverse("issuer:status_list", kwargs={"purpose": purpose}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+jwt"
    status_credential = verify(response.content.decode())
    assert status_credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    subject = status_credential["credentialSubject"]
    assert subject["statusPurpose"] == purpose
    bits = decoded_bits(subject["encodedList"])
    assert len(bits) * 8 >= 131_072
    return bit(bits, index)


# Signing and verifying -------------------------------------------------------------------


def test_pyjwt_verifies_an_issued_credential_with_the_key_from_the_did_document(award, signing_key):
    credential = issuing.issue_credential(award)

    payload = verify(credential.token)

    header = jwt.get_unverified_header(credential.token)
    assert header["kid"] == f"did:web:peerpath.example.org#{signing_key}" == credential.key_id
    assert header["typ"] == "vc+jwt"
    assert payload["id"] == f"https://peerpath.example.org/verify/{award.verification_code}/"
    assert payload["iss"] == payload["issuer"]["id"]
    assert "vc" not in payload


def test_a_tampered_payload_fails_verification(award, signing_key):
    token = issuing.issue_credential(award).token
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["name"] = "Accredited assessor"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()

    with pytest.raises(jwt.InvalidSignatureError):
        verify(f"{header}.{forged}.{signature}")


def test_a_token_signed_by_a_key_outside_the_did_document_fails(award, signing_key):
    claims = jwt.decode(issuing.issue_credential(award).token, options={"verify_signature": False})
    stranger = Ed25519PrivateKey.generate()

    unknown_kid = jwt.encode(claims, stranger, algorithm="EdDSA", headers={"kid": "did:web:evil.example#key-1"})
    with pytest.raises(LookupError):
        verify(unknown_kid)

    # Claiming PeerPath's key id does not help: the signature does not match its public key.
    borrowed_kid = jwt.encode(
        claims, stranger, algorithm="EdDSA", headers={"kid": f"did:web:peerpath.example.org#{signing_key}"}
    )
    with pytest.raises(jwt.InvalidSignatureError):
        verify(borrowed_kid)


def test_after_rotating_old_credentials_still_verify_and_new_ones_carry_the_new_key(award, scheme, actors, signing_key):
    old = issuing.issue_credential(award)

    call_command("credential_keys", "rotate", stdout=io.StringIO())
    newer = make_award(MembershipFactory(role=Membership.Role.TUTOR).person, scheme, actors["assessor"].person)
    new = issuing.issue_credential(newer)

    assert verify(old.token)["id"].endswith(f"/verify/{award.verification_code}/")
    assert verify(new.token)["id"].endswith(f"/verify/{newer.verification_code}/")
    assert jwt.get_unverified_header(old.token)["kid"].endswith(f"#{signing_key}")
    assert jwt.get_unverified_header(new.token)["kid"] != jwt.get_unverified_header(old.token)["kid"]
    assert new.key_id == jwt.get_unverified_header(new.token)["kid"]

    call_command("credential_keys", "retire", signing_key, stdout=io.StringIO())

    assert verify(old.token)["id"].endswith(f"/verify/{award.verification_code}/")
    assert issuing.issue_credential(award).token == old.token  # stored, not signed again


def test_the_did_document_lists_every_key_public_half_only(signing_key):
    second = keys.create_key()
    keys.retire(signing_key)

    document = json.loads(Client().get(reverse("issuer:did_document")).content)

    assert [method["id"].split("#")[1] for method in document["verificationMethod"]] == [signing_key, second]
    for method in document["verificationMethod"]:
        assert method["controller"] == document["id"]
        assert set(method["publicKeyJwk"]) == {"kty", "crv", "x"}  # no private "d"
        assert method["publicKeyJwk"]["kty"] == "OKP"
        assert method["publicKeyJwk"]["crv"] == "Ed25519"


# The credential's content ----------------------------------------------------------------


def test_the_credential_json_is_an_enveloped_open_badge_credential(award, holder_client, signing_key, scheme):
    response = holder_client.get(reverse("accreditation:credential_json", kwargs={"award_id": award.pk}))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    envelope = json.loads(response.content)
    assert envelope["type"] == "EnvelopedVerifiableCredential"
    assert envelope["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    prefix = "data:application/vc+jwt,"
    assert envelope["id"].startswith(prefix)
    token = envelope["id"].removeprefix(prefix)
    assert token == Credential.objects.get(award=award).token

    vc = verify(token)
    assert vc["@context"] == OB_CONTEXTS
    assert vc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert vc["issuer"]["id"] == "did:web:peerpath.example.org"
    assert vc["issuer"]["type"] == ["Profile"]
    assert vc["issuer"]["name"]
    assert vc["name"] == scheme.name
    valid_from = datetime.datetime.fromisoformat(vc["validFrom"])
    valid_until = datetime.datetime.fromisoformat(vc["validUntil"])
    assert timezone.localtime(valid_from).date() == award.valid_from
    assert timezone.localtime(valid_until).date() == award.valid_until
    assert vc["nbf"] == int(valid_from.timestamp())
    assert vc["exp"] == int(valid_until.timestamp())

    subject = vc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert "name" not in subject and "id" not in subject
    [identity] = subject["identifier"]
    assert identity["hashed"] is True
    assert identity["identityType"] == "emailAddress"
    email = award.holder.email.lower()
    assert identity["identityHash"] == "sha256$" + hashlib.sha256((email + identity["salt"]).encode()).hexdigest()
    assert email not in json.dumps(vc)

    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["id"] == "https://peerpath.example.org/credentials/achievements/carer-peer-trainer-rc/"
    assert "80%" in achievement["criteria"]["narrative"]
    competencies = Competency.objects.filter(framework=scheme.framework)
    assert len(achievement["alignment"]) == competencies.count() > 0
    assert {a["targetCode"] for a in achievement["alignment"]} == set(competencies.values_list("code", flat=True))
    for alignment in achievement["alignment"]:
        assert alignment["targetName"] and alignment["targetFramework"] and alignment["targetUrl"]

    credential = Credential.objects.get(award=award)
    entries = vc["credentialStatus"]
    assert [entry["statusPurpose"] for entry in entries] == ["revocation", "suspension"]
    for entry in entries:
        assert entry["type"] == "BitstringStatusListEntry"
        assert entry["statusListIndex"] == str(credential.status_index)
        path = reverse("issuer:status_list", kwargs={"purpose": entry["statusPurpose"]})
        # Issued credentials name this address for good: it must not move.
        assert path == f"/credentials/status/{entry['statusPurpose']}/"
        assert entry["statusListCredential"] == f"https://peerpath.example.org{path}"


def test_a_credential_without_an_end_date_has_no_valid_until(award, signing_key):
    Award.objects.filter(pk=award.pk).update(valid_until=None)
    award.refresh_from_db()

    vc = verify(issuing.issue_credential(award).token)

    assert "validUntil" not in vc and "exp" not in vc


# Issuing: idempotent, refused when it must be -------------------------------------------


def test_issuing_twice_returns_the_one_stored_credential(award, signing_key):
    first = issuing.issue_credential(award)
    second = issuing.issue_credential(award)

    assert first.pk == second.pk and first.token == second.token
    assert Credential.objects.filter(award=award).count() == 1
    assert AuditEvent.objects.filter(action="credential.issued").count() == 1
    assert 0 <= first.status_index < 131_072


def test_a_taken_status_position_is_never_given_twice(award, scheme, actors, signing_key, monkeypatch):
    taken = issuing.issue_credential(award).status_index
    draws = iter([taken, taken, 4242])
    monkeypatch.setattr(issuing.secrets, "randbelow", lambda _: next(draws))
    other = make_award(MembershipFactory(role=Membership.Role.TUTOR).person, scheme, actors["assessor"].person)

    assert issuing.issue_credential(other).status_index == 4242


@pytest.mark.parametrize(("move", "says"), [("revoke", "revoked"), ("suspend", "suspended")])
def test_revoked_and_suspended_awards_are_refused_with_a_clear_page(
    award, actors, holder_client, signing_key, move, says
):
    lifecycle.change_award(actor=actors["assessor"].user, award=award, move=move, reason="Concerns raised")

    with pytest.raises(AccreditationError, match=says):
        issuing.issue_credential(award)
    for name in ("accreditation:credential_json", "accreditation:badge_png"):
        response = holder_client.get(reverse(name, kwargs={"award_id": award.pk}))
        assert response.status_code == 409
        assert says in response.content.decode()
    assert not Credential.objects.exists()


def test_without_a_signing_key_nothing_is_issued_and_the_holder_is_told(award, holder_client, key_dir):
    with pytest.raises(AccreditationError, match="no signing key"):
        issuing.issue_credential(award)
    response = holder_client.get(reverse("accreditation:badge_png", kwargs={"award_id": award.pk}))

    assert response.status_code == 409
    assert "no signing key" in response.content.decode()
    assert not Credential.objects.exists()


def test_a_retired_current_key_signs_nothing(award, signing_key):
    keys.retire(signing_key)

    with pytest.raises(AccreditationError, match="no signing key"):
        issuing.issue_credential(award)


def test_a_holder_without_an_email_address_is_refused(award, signing_key):
    Person.objects.filter(pk=award.holder_id).update(email="")
    award.holder.refresh_from_db()

    with pytest.raises(AccreditationError, match="email address"):
        issuing.issue_credential(award)


# Status lists ----------------------------------------------------------------------------


def test_revoking_sets_the_revocation_bit_only(award, actors, signing_key):
    index = issuing.issue_credential(award).status_index
    assert not status_bit("revocation", index)

    lifecycle.change_award(actor=actors["assessor"].user, award=award, move="revoke", reason="Left the programme")

    assert status_bit("revocation", index)
    assert not status_bit("suspension", index)


def test_suspending_sets_the_suspension_bit_and_reinstating_clears_it(award, actors, signing_key):
    index = issuing.issue_credential(award).status_index
    assessor = actors["assessor"].user

    lifecycle.change_award(actor=assessor, award=award, move="suspend", reason="Under review")
    assert status_bit("suspension", index)
    assert not status_bit("revocation", index)

    lifecycle.change_award(actor=assessor, award=award, move="reinstate", reason="Review closed")
    assert not status_bit("suspension", index)


def test_a_status_list_costs_the_same_queries_however_many_credentials(award, scheme, actors, signing_key):
    issuing.issue_credential(award)
    url = reverse("issuer:status_list", kwargs={"purpose": "revocation"})

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert Client().get(url).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(4):
        other = make_award(MembershipFactory(role=Membership.Role.TUTOR).person, scheme, actors["assessor"].person)
        issuing.issue_credential(other)
        lifecycle.change_award(actor=actors["assessor"].user, award=other, move="revoke", reason="Test")

    assert queries() == few == 1


def test_status_lists_are_public_and_unknown_purposes_are_not_found(signing_key):
    assert Client().get(reverse("issuer:status_list", kwargs={"purpose": "expiry"})).status_code == 404
    response = Client().get(reverse("issuer:status_list", kwargs={"purpose": "suspension"}))
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"


def test_without_a_key_the_status_list_is_not_published(key_dir):
    response = Client().get(reverse("issuer:status_list", kwargs={"purpose": "revocation"}))

    assert response.status_code == 404


# Baked badge -----------------------------------------------------------------------------


def test_the_baked_png_carries_exactly_the_issued_jwt(award, holder_client, signing_key):
    response = holder_client.get(reverse("accreditation:badge_png", kwargs={"award_id": award.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    image = Image.open(io.BytesIO(response.content))
    assert image.format == "PNG"
    assert image.text == {"openbadgecredential": Credential.objects.get(award=award).token}
    assert verify(image.text["openbadgecredential"])["credentialSubject"]["achievement"]["name"]


@pytest.mark.parametrize("name", ["accreditation:credential_json", "accreditation:badge_png"])
def test_only_the_holder_downloads(award, actors, signing_key, name):
    url = reverse(name, kwargs={"award_id": award.pk})

    assert actors["assessor"].client.get(url).status_code == 403
    assert actors["administrator"].client.get(url).status_code == 403
    assert actors["participant"].client.get(url).status_code == 404
    assert actors["anonymous"].client.get(url).status_code == 302
    assert not Credential.objects.exists()
