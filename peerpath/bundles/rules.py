"""Named permission rules for programmes and their bundles (django-rules).

Which programmes a user sees is ``peerpath.bundles.access``; these rules say what they may do.
"""

from __future__ import annotations

import rules

from peerpath.people.rules import is_administrator, is_coordinator

# The programme list and pages: administrators all, coordinators their organisations' (read-only).
rules.add_perm("programmes.view_programme", is_administrator | is_coordinator)
# A bundle leaves PeerPath or changes what the installation holds for every organisation
# (instruments, frameworks, schemes, policies), so only administrators export or import.
rules.add_perm("programmes.export_programme", is_administrator)
rules.add_perm("programmes.import_programme", is_administrator)
