"""The typed environment readers: good values come through, junk stops start-up.

Every reader is given ``environ=`` so the tests never touch the real environment.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from peerpath.config.env import env_bool, env_choice, env_int, env_list, env_optional_str, env_str


def _refused(reader, *args, **kwargs) -> str:
    with pytest.raises(ImproperlyConfigured) as caught:
        reader(*args, **kwargs)
    return str(caught.value)


# env_bool ---------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "True", "yes", "on", " on "])
def test_env_bool_reads_true_words(raw):
    assert env_bool("DEBUG", False, environ={"DEBUG": raw}) is True


@pytest.mark.parametrize("raw", ["0", "false", "FALSE", "no", "off", " Off "])
def test_env_bool_reads_false_words(raw):
    assert env_bool("DEBUG", True, environ={"DEBUG": raw}) is False


@pytest.mark.parametrize("raw", ["maybe", "2", "tru", "y", "n", "enabled", "-1", "1.0", "yes please"])
def test_env_bool_rejects_junk_naming_the_variable(raw):
    message = _refused(env_bool, "DEBUG", False, environ={"DEBUG": raw})

    assert "DEBUG" in message


@pytest.mark.parametrize("default", [True, False])
@pytest.mark.parametrize("environ", [{}, {"DEBUG": ""}, {"DEBUG": "   "}])
def test_env_bool_uses_the_default_when_unset_or_blank(environ, default):
    assert env_bool("DEBUG", default, environ=environ) is default


# env_int ----------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), [("5", 5), (" 42 ", 42), ("0", 0), ("-3", -3)])
def test_env_int_reads_whole_numbers(raw, expected):
    assert env_int("PEERPATH_PAGE_SIZE", 25, environ={"PEERPATH_PAGE_SIZE": raw}) == expected


@pytest.mark.parametrize("raw", ["abc", "1.5", "1e3", "12px", "0x10", "five"])
def test_env_int_rejects_non_integers_naming_the_variable(raw):
    message = _refused(env_int, "PEERPATH_PAGE_SIZE", 25, environ={"PEERPATH_PAGE_SIZE": raw})

    assert "PEERPATH_PAGE_SIZE" in message


@pytest.mark.parametrize("raw", ["4", "0", "-1", "201", "100000"])
def test_env_int_rejects_values_out_of_range_naming_the_variable(raw):
    message = _refused(env_int, "PEERPATH_PAGE_SIZE", 25, minimum=5, maximum=200, environ={"PEERPATH_PAGE_SIZE": raw})

    assert "PEERPATH_PAGE_SIZE" in message


@pytest.mark.parametrize("raw", ["5", "200"])
def test_env_int_accepts_the_bounds_themselves(raw):
    assert env_int("PEERPATH_PAGE_SIZE", 25, minimum=5, maximum=200, environ={"PEERPATH_PAGE_SIZE": raw}) == int(raw)


def test_env_int_uses_the_default_when_unset():
    assert env_int("PEERPATH_PAGE_SIZE", 25, minimum=5, maximum=200, environ={}) == 25


# env_list ---------------------------------------------------------------------


def test_env_list_splits_on_commas_and_strips_items():
    environ = {"ALLOWED_HOSTS": " peerpath.example.org , www.peerpath.example.org "}

    assert env_list("ALLOWED_HOSTS", [], environ=environ) == ["peerpath.example.org", "www.peerpath.example.org"]


@pytest.mark.parametrize("raw", ["a,,b", "a,", ",a", "a, ,b", ","])
def test_env_list_rejects_empty_items_naming_the_variable(raw):
    message = _refused(env_list, "ALLOWED_HOSTS", [], environ={"ALLOWED_HOSTS": raw})

    assert "ALLOWED_HOSTS" in message


def test_env_list_returns_a_copy_of_the_default():
    default = ["localhost"]

    hosts = env_list("ALLOWED_HOSTS", default, environ={})
    hosts.append("evil.example")

    assert default == ["localhost"]


# env_str and env_optional_str ------------------------------------------------------------


@pytest.mark.parametrize("environ", [{}, {"SECRET_KEY": ""}, {"SECRET_KEY": "  \t "}])
def test_env_str_without_a_default_requires_the_variable(environ):
    message = _refused(env_str, "SECRET_KEY", environ=environ)

    assert "SECRET_KEY" in message


def test_env_str_returns_the_stripped_value():
    assert env_str("LOG_LEVEL", "INFO", environ={"LOG_LEVEL": " DEBUG\n"}) == "DEBUG"


def test_env_str_falls_back_to_its_default():
    assert env_str("LOG_LEVEL", "INFO", environ={"LOG_LEVEL": " "}) == "INFO"


@pytest.mark.parametrize(("environ", "expected"), [({}, None), ({"X": " "}, None), ({"X": " value "}, "value")])
def test_env_optional_str_treats_blank_as_unset(environ, expected):
    assert env_optional_str("X", environ=environ) == expected


# env_choice -------------------------------------------------------------------

_LEVELS = frozenset({"DEBUG", "INFO", "WARNING"})


def test_env_choice_accepts_a_listed_value():
    assert env_choice("LOG_LEVEL", "INFO", _LEVELS, environ={"LOG_LEVEL": "WARNING"}) == "WARNING"


@pytest.mark.parametrize("raw", ["debug", "VERBOSE", "INFO,DEBUG"])
def test_env_choice_rejects_unlisted_values_naming_the_variable(raw):
    message = _refused(env_choice, "LOG_LEVEL", "INFO", _LEVELS, environ={"LOG_LEVEL": raw})

    assert "LOG_LEVEL" in message


def test_env_choice_uses_the_default_when_unset():
    assert env_choice("LOG_LEVEL", "INFO", _LEVELS, environ={}) == "INFO"
