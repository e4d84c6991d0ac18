"""The access log never carries an invitation link's token."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from peerpath.config.gunicorn_logging import MaskingLogger, mask
from peerpath.evaluation import tokens
from peerpath.evaluation.models import Invitation

pytestmark = pytest.mark.django_db


def test_every_atom_with_a_token_is_masked():
    token = tokens.token_for(Invitation(nonce=tokens.new_nonce()))
    path = f"/questionnaires/{token}/2/"
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": path,
        "PATH_INFO": path,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "QUERY_STRING": "",
        "HTTP_REFERER": f"https://college.example.org/questionnaires/{token}/",
        "REMOTE_ADDR": "192.0.2.7",
    }
    response = SimpleNamespace(status="200 OK", headers=[], sent=10, response_length=10)
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])

    atoms = MaskingLogger(Config()).atoms(response, request, environ, datetime.timedelta(seconds=1))

    assert token not in repr(atoms)
    assert atoms["r"] == "POST /questionnaires/[token]/2/ HTTP/1.1"
    assert atoms["U"] == "/questionnaires/[token]/2/"
    assert atoms["f"] == "https://college.example.org/questionnaires/[token]/"
    assert atoms["h"] == "192.0.2.7"


def test_other_paths_are_left_alone():
    assert mask("/questionnaires/scores/") == "/questionnaires/scores/"
    assert mask("/people/" + "a" * 64 + "/") == "/people/" + "a" * 64 + "/"
