"""Hypothesis strategies and settings shared by the fuzz tests of every app (T3).

``form_data(form, baseline)`` draws POST data for a Django form: pure noise, or
a valid baseline with a few keys spoiled by text a browser, a script or an
attacker might send. Seeds are fixed, so a run reproduces.
"""

from __future__ import annotations

from django import forms
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from peerpath.core.forms import NHSDateInput

FORM_EXAMPLES = 200
VIEW_EXAMPLES = 40

fuzz_settings = settings(
    max_examples=FORM_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Each view example is a full request: no shrinking, so a failure costs seconds, not minutes.
# The ``spoil({...})`` draws are short enough to read unshrunk.
view_fuzz_settings = settings(fuzz_settings, max_examples=VIEW_EXAMPLES, phases=(Phase.explicit, Phase.generate))

# Text a browser, a script or an attacker might send ----------------------------------

any_character = st.characters(exclude_categories=("Cs",))  # surrogates cannot be encoded
_control_character = st.characters(max_codepoint=0x1F) | st.sampled_from(["\x7f", "\x85", "\u2028", "\u202e"])
_awkward = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "%00",
        "0",
        "-1",
        "+1",
        "1.5",
        "1e309",
        "NaN",
        "99999999999999999999",
        "-99999999999999999999",
        "٣١",  # Arabic-Indic digits
        "\uff11\uff12",  # full-width digits
        "2026\x00",
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "%",
        "_",
        "\\",
        "../../etc/passwd",
        "\ufeff",
        "\u202eevil",
        "ß" * 40,
        "00000000-0000-4000-8000-000000000000",
    ]
)
_long = st.builds(
    lambda chunk, times: chunk * times, st.text(any_character, min_size=1, max_size=3), st.integers(50, 3000)
)
fuzz_text = st.one_of(
    st.text(any_character, max_size=30),
    st.text(_control_character, max_size=5),
    st.text(any_character | _control_character, max_size=12).map(lambda s: f"{s}\x00{s}"),
    _awkward,
    _long,
    st.integers(-(10**20), 10**20).map(str),
)


def _valid_values(field: forms.Field) -> list[str]:
    """Some values the field accepts, so that noise sometimes lands on a real choice."""
    if isinstance(field, forms.ModelChoiceField):
        return [str(pk) for pk in field.queryset.values_list("pk", flat=True)[:3]]
    if isinstance(field, forms.ChoiceField):
        return [str(value) for value, _ in field.choices if value != ""]
    return []


def _data_keys(form: forms.BaseForm) -> dict[str, st.SearchStrategy[str]]:
    """Every POST key the form reads, including the day/month/year boxes of date fields."""
    keys: dict[str, st.SearchStrategy[str]] = {}
    for name, field in form.fields.items():
        if isinstance(field.widget, NHSDateInput):
            for part in NHSDateInput.parts:
                keys[f"{name}_{part}"] = fuzz_text | st.integers(-(2**64), 2**64).map(str)
            continue
        valid = _valid_values(field)
        keys[name] = fuzz_text | st.sampled_from(valid) if valid else fuzz_text
    return keys


def form_data(form: forms.BaseForm, baseline: dict[str, str] | None = None) -> st.SearchStrategy[dict[str, str]]:
    """POST data for the form: pure noise, or a valid ``baseline`` with up to three keys spoiled.

    Pure noise exercises field validation; spoiling a valid submission reaches
    ``clean()``, the services and the views' success paths.
    """
    keys = _data_keys(form)
    stray = st.dictionaries(st.text(any_character, max_size=8), fuzz_text, max_size=2)
    noise = st.builds(
        lambda chosen, extra: {**extra, **{k: v for k, v in chosen.items() if v is not None}},
        st.fixed_dictionaries({key: st.none() | strategy for key, strategy in keys.items()}),
        stray,
    )
    if baseline is None:
        return noise

    def spoil(changes: dict[str, str | None]) -> dict[str, str]:
        data = dict(baseline)
        for key, value in changes.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        return data

    spoiled = st.sets(st.sampled_from(sorted(keys)), max_size=3).flatmap(
        lambda chosen: st.fixed_dictionaries({key: st.none() | keys[key] for key in sorted(chosen)})
    )
    # One draw in four is pure noise; the rest spoil a valid submission.
    return st.integers(0, 3).flatmap(lambda n: noise if n == 0 else spoiled.map(spoil))


def date_fields(name: str, day: int, month: int, year: int) -> dict[str, str]:
    return {f"{name}_day": str(day), f"{name}_month": str(month), f"{name}_year": str(year)}


def spoiled(baseline: dict[str, str]) -> st.SearchStrategy[dict[str, str]]:
    """The baseline with up to three keys replaced by hostile text or dropped, plus stray keys."""
    keys = sorted(baseline)
    changes = st.sets(st.sampled_from(keys), max_size=3).flatmap(
        lambda chosen: st.fixed_dictionaries({key: st.none() | fuzz_text for key in sorted(chosen)})
    )
    stray = st.dictionaries(st.text(any_character, max_size=12), fuzz_text, max_size=2)

    def apply(change: dict[str, str | None], extra: dict[str, str]) -> dict[str, str]:
        data = {**extra, **baseline}
        for key, value in change.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        return data

    return st.builds(apply, changes, stray)
