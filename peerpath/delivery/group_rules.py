"""Named permission rules for support groups (django-rules); registered by ``delivery.rules``."""

from __future__ import annotations
