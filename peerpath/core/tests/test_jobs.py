"""The periodic-jobs commands' shared loop."""

from __future__ import annotations

import logging

import pytest
from django.core.management import CommandError, call_command

from peerpath.core.jobs import PeriodicJobsCommand


class Flaky(PeriodicJobsCommand):
    jobs_name = "test jobs"

    def __init__(self) -> None:
        super().__init__()
        self.rounds = 0

    def run_once(self) -> None:
        self.rounds += 1
        if self.rounds == 1:
            raise RuntimeError("the first round fails")


def test_a_failed_round_is_logged_and_the_loop_goes_on(monkeypatch, caplog):
    command = Flaky()
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        if len(sleeps) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr("peerpath.core.jobs.time.sleep", sleep)
    with caplog.at_level(logging.ERROR), pytest.raises(KeyboardInterrupt):
        command.handle(every=7)

    assert command.rounds == 2
    assert sleeps == [7, 7]
    assert "Test jobs failed; trying again in 7 seconds" in caplog.text


@pytest.mark.parametrize(
    ("name", "too_fast"), [("delivery_jobs", "0"), ("evaluation_jobs", "0"), ("accreditation_jobs", "59")]
)
def test_each_jobs_command_refuses_too_short_an_interval(name, too_fast):
    with pytest.raises(CommandError, match="or more"):
        call_command(name, "--every", too_fast)
