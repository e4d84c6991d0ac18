"""Fail when a view module fetches sensitive rows without the access layer.

Views must go through ``access.py`` helpers, which scope rows to the user's
organisations. This catches the two easy ways round them.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "peerpath"
FORBIDDEN_NAMES = {"get_object_or_404", "get_list_or_404"}
FORBIDDEN_MANAGERS = {
    "Person",
    "Consent",
    "EqualityMonitoring",
    "CaringRole",
    "Course",
    "CourseVersion",
    "CourseMaterial",
    "CoproductionActivity",
    "Contribution",
    "CourseRun",
    "Session",
    "Enrolment",
    "Attendance",
    "FacilitatorAssignment",
    "SupportGroup",
    "GroupMeeting",
    "CalendarFeed",
    "SentMessage",
    "Award",
    "PortfolioEntry",
    "Observation",
}


def problems_in(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            found.append(f"{path}:{node.lineno}: {node.id} in a view module; use the app's access helpers")
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "objects"
            and isinstance(node.value, ast.Name)
            and node.value.id in FORBIDDEN_MANAGERS
        ):
            found.append(f"{path}:{node.lineno}: {node.value.id}.objects in a view; use the app's access helpers")
    return found


def main() -> int:
    modules = [*ROOT.glob("*/*views.py"), *ROOT.glob("*/views/*.py"), ROOT / "core" / "accounts.py"]
    problems = [problem for module in modules for problem in problems_in(module)]
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"checked {len(modules)} view modules, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
