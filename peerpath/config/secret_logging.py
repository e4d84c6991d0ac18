"""Logs without the secrets some addresses carry.

An invitation link (ADR 018) opens someone's questionnaires without a login, so its token is
as good as a password until the questionnaires are done. Two places could write it down:

- gunicorn's access log (request line, path, referring page): ``MaskingLogger`` puts
  ``[token]`` in its place; ``make serve`` and a deployment start gunicorn with
  ``--logger-class peerpath.config.secret_logging.MaskingLogger``;
- the application's own log, where Django names the path of a request that failed
  (an uncaught error, for instance): the ``MaskSecrets`` filter on the console handler
  (``LOGGING`` in the settings) masks every record's message and traceback.

Kept free of Django imports: gunicorn loads it before the application.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn.glogging import Logger  # type: ignore[import-untyped]

# A path segment that is a questionnaire link's token (tokens.TOKEN_PATTERN after /questionnaires/).
SECRET_IN_PATH = re.compile(r"(/questionnaires/)[0-9a-f]{64}")
MASK = r"\1[token]"


def mask(text: str) -> str:
    """``text`` with every invitation token replaced by ``[token]``."""
    return SECRET_IN_PATH.sub(MASK, text)


class MaskingLogger(Logger):
    """Gunicorn's logger, masking invitation tokens in every access-log atom."""

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {key: mask(value) if isinstance(value, str) else value for key, value in atoms.items()}


class MaskSecrets(logging.Filter):
    """Mask invitation tokens in a log record's message (arguments merged in) and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        return True
