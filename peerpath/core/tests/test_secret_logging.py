"""The access log never carries an invitation link's token."""

from __future__ import annotations

import datetime
import logging
import sys
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from peerpath.config.secret_logging import MaskingLogger, MaskSecrets, mask
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


def test_application_log_records_are_masked_message_arguments_and_traceback():
    token = tokens.token_for(Invitation(nonce=tokens.new_nonce()))
    try:
        raise ValueError(f"broke on /questionnaires/{token}/1/")
    except ValueError:
        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "django.request",
        logging.ERROR,
        __file__,
        1,
        "Internal Server Error: %s",
        (f"/questionnaires/{token}/1/",),
        exc_info,
    )

    assert MaskSecrets().filter(record)

    formatted = logging.Formatter().format(record)
    assert token not in formatted
    assert "Internal Server Error: /questionnaires/[token]/1/" in formatted
    assert "broke on /questionnaires/[token]/1/" in formatted


def test_the_console_handler_masks_tokens():
    handler = next(h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler))
    assert any(isinstance(f, MaskSecrets) for f in handler.filters)
