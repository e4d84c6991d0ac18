"""Gunicorn's access log, without the secrets some addresses carry.

An invitation link (ADR 018) opens someone's questionnaires without a login, so its token is
as good as a password until the questionnaires are done. Gunicorn writes the request line,
the path and the referring page of every request to its access log; this logger class puts
``[token]`` in place of the token in all of them. ``make serve`` and a deployment start
gunicorn with ``--logger-class peerpath.config.gunicorn_logging.MaskingLogger``.

Kept free of Django imports: gunicorn loads it before the application.
"""

from __future__ import annotations

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
