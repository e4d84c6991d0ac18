"""``manage.py seed_demo``: deterministic demo data at three scales, then the demo logins.

Each app adds its own step in ``peerpath/<app>/seeding.py`` (see ``peerpath.core.seeding``).
Running it again on a seeded database changes nothing and prints the logins again.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from peerpath.core import seeding


def _anchor_date(value: str) -> date:
    if value == "today":
        return timezone.localdate()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError("Enter a date like 2026-11-02, or 'today'") from None


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("Enter a whole number of 1 or more")
    return number


class Command(BaseCommand):
    help = "Seed deterministic demo data (small: the demo; regional; national) and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=list(seeding.SCALES), default="small", help="how much data (small)")
        parser.add_argument("--seed", type=int, default=seeding.DEFAULT_SEED, help="the same seed gives the same data")
        parser.add_argument(
            "--batch-size",
            type=_positive,
            default=seeding.DEFAULT_BATCH_SIZE,
            help="people saved per transaction, with their related rows (%(default)s)",
        )
        parser.add_argument(
            "--anchor-date",
            type=_anchor_date,
            default=seeding.DEFAULT_ANCHOR_DATE,
            help="the day the data treats as today: YYYY-MM-DD or 'today' (default %(default)s, so data repeats)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        modules = seeding.autodiscover()
        if options["verbosity"] >= 2:
            self.stdout.write("Seed steps from: " + ", ".join(modules))
        try:
            result = seeding.run(
                scale=options["scale"],
                seed=options["seed"],
                batch_size=options["batch_size"],
                today=options["anchor_date"],
                write=self.stdout.write,
                verbosity=options["verbosity"],
            )
        except seeding.SeedError as error:
            raise CommandError(str(error)) from error
        if result.already_seeded:
            self.stdout.write(
                f"Demo data already seeded (scale {result.scale}, seed {result.seed}); nothing to do. "
                "To seed again, empty the database with 'manage.py flush' first."
            )
        else:
            total = sum(result.counts.values())
            self.stdout.write(
                self.style.SUCCESS(f"Seeded {result.scale} demo data: {total:,} rows in {result.seconds:.1f} s.")
            )
        self._print_logins(result.logins)

    def _print_logins(self, logins: list[seeding.DemoLogin]) -> None:
        if not logins:
            return
        active = set(
            User.objects.filter(username__in=[login.username for login in logins], is_active=True).values_list(
                "username", flat=True
            )
        )
        self.stdout.write("")
        self.stdout.write(f"Demo logins, all with the password {seeding.DEMO_PASSWORD}")
        width = max(len(login.role) for login in logins)
        user_width = max(len(login.username) for login in logins)
        for login in logins:
            note = "" if login.username in active else "  (removed or deactivated since)"
            self.stdout.write(f"  {login.role:<{width}}  {login.username:<{user_width}}  {login.where}{note}")
        self.stdout.write("Seeded staff at every organisation can sign in with their username and the same password.")
