"""Variants of the catalogue's courses, and the words of the co-production record.

Larger scales need more courses than the catalogue holds. Colleges really do run
versions of one course for parents, online in the evening, in a community
language or in one borough, so a variant keeps its template's outline and
outcomes and says in its summary who it is for.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from typing import Any

from peerpath.courses.choices import Audience, Category, Stage
from peerpath.courses.seeding.catalogue import LANGUAGE, ONE_DAY, ONLINE, PLACE, STAFF, Template

LANGUAGES = (
    "Polish",
    "Tamil",
    "Urdu",
    "Punjabi",
    "Somali",
    "Portuguese",
    "Bengali",
    "Gujarati",
    "Arabic",
    "Turkish",
    "Cantonese",
)

# (title words, sentence added to the summary, audience): a variant for one group of people.
AUDIENCE_WORDS: dict[str, tuple[str, str, str]] = {
    "parents": (
        "for parents",
        "This version is for parents, including parents of adult sons and daughters, and makes room for the "
        "particular worries of caring for your own child.",
        Audience.CARERS,
    ),
    "partners": (
        "for partners and spouses",
        "This version is for husbands, wives and partners, and looks at caring within a relationship: money, "
        "children, intimacy and keeping a life of your own.",
        Audience.CARERS,
    ),
    "siblings": (
        "for brothers and sisters",
        "This version is for brothers and sisters of any age, whose part in caring is easily overlooked.",
        Audience.CARERS,
    ),
    "young": (
        "for young adult carers (18 to 25)",
        "This version is for young adult carers aged 18 to 25, many of whom look after a parent or a brother or "
        "sister while studying or starting work.",
        Audience.CARERS,
    ),
    "older": (
        "for older carers",
        "This version is for carers aged 65 and over, at a gentler pace, with time to talk about caring alongside "
        "your own health.",
        Audience.CARERS,
    ),
    "male": (
        "for male carers",
        "This version is for men who care, who often tell us they find it hard to ask for help.",
        Audience.CARERS,
    ),
    STAFF: (
        "for staff",
        "This version is for ward and community staff, who learn alongside carer trainers what families need "
        "from services.",
        Audience.STAFF,
    ),
}


@dataclass(frozen=True)
class CourseDraft:
    """One course to seed: a template as it is, or one of its variants."""

    template: Template
    title: str
    summary: str
    audience: str
    minutes: int
    modes: tuple[str, ...]
    sessions: tuple[tuple[str, str], ...]
    place: str = ""

    @property
    def category(self) -> str:
        return self.template.category

    @property
    def session_count(self) -> int:
        return len(self.sessions)


def plain(template: Template) -> CourseDraft:
    return CourseDraft(
        template=template,
        title=template.title,
        summary=template.summary,
        audience=template.audience,
        minutes=template.minutes,
        modes=template.modes,
        sessions=template.sessions,
    )


def _titled(short: str, words: str, *, joiner: str = " ") -> str:
    """ "Understanding psychosis for parents", "Coping with a crisis: one-day course"; in brackets after a colon."""
    return f"{short} ({words})" if ":" in short else f"{short}{joiner}{words}"


def _one_day(template: Template) -> tuple[tuple[str, str], ...]:
    titles = [title for title, _ in template.sessions]
    half = math.ceil(len(titles) / 2)

    def listed(items: list[str]) -> str:
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

    parts = [f"Morning: {listed(titles[:half])}."]
    if titles[half:]:
        parts.append(f"Afternoon: {listed(titles[half:])}.")
    return ((f"{template.short}: the day", " ".join(parts)),)


def variant(template: Template, kind: str, *, place: str = "", language: str = "") -> CourseDraft:
    """The template adapted for an audience, a way of delivering it, a language or a place."""
    base = plain(template)
    short = template.short
    is_group = template.category == Category.SUPPORT_GROUP
    if kind in AUDIENCE_WORDS:
        words, sentence, audience = AUDIENCE_WORDS[kind]
        return _with(base, title=_titled(short, words), sentence=sentence, audience=audience)
    if kind == LANGUAGE:
        who = "carers" if is_group or template.category == Category.SELF_MANAGEMENT else "families"
        words = f"in {language}" if template.audience == Audience.EVERYONE else f"for {language}-speaking {who}"
        return _with(
            base,
            title=_titled(short, words),
            sentence=f"It is led in {language} by a bilingual peer trainer, with handouts in {language} and English.",
        )
    if kind == ONLINE:
        return _with(
            base,
            title=_titled(short, "online evening course", joiner=": "),
            sentence="This version runs online on weekday evenings, in shorter sessions, for carers who work or "
            "cannot travel.",
            minutes=min(template.minutes, 90),
            modes=("online",),
        )
    if kind == ONE_DAY:
        return _with(
            base,
            title=_titled(short, "one-day course", joiner=": "),
            sentence="This version covers the essentials in a single Saturday, for carers who cannot come every week.",
            minutes=min(360, max(240, 30 * round(template.minutes * len(template.sessions) * 0.7 / 30))),
            modes=("in_person",),
            sessions=_one_day(template),
        )
    if kind == PLACE:
        if is_group:
            title, sentence = f"{short} ({place})", f"This is the format of the group that meets in {place}."
        else:
            title = f"{short} in {place}"
            sentence = f"This version is run with carers' services in {place} and uses local contacts throughout."
        return _with(base, title=title, sentence=sentence, place=place)
    raise ValueError(f"unknown variant kind {kind!r}")


def _with(base: CourseDraft, *, title: str, sentence: str, **changes: Any) -> CourseDraft:
    """The draft retitled (to the title field's 150 characters), its summary saying who or what it is for."""
    return replace(base, title=title[:150], summary=f"{base.summary} {sentence}", **changes)


def candidates(template: Template, places: list[str], rng: random.Random) -> list[CourseDraft]:
    """Every variant that suits the template here (one language, drawn at random)."""
    drafts = []
    for kind in template.variants:
        if kind == PLACE:
            drafts += [variant(template, kind, place=place) for place in places]
        elif kind == LANGUAGE:
            drafts.append(variant(template, kind, language=rng.choice(LANGUAGES)))
        elif kind == ONE_DAY and template.session_count < 2:
            continue
        else:
            drafts.append(variant(template, kind))
    return drafts


# What co-production activities decided, by stage. "{topic}" is one of the course's sessions.
DECISIONS: dict[str, tuple[str, ...]] = {
    Stage.IDEA: (
        "Carers at the monthly group asked for a course on this. Agreed to take it to a design workshop.",
        "Three carers said they had nowhere to learn about this when they started caring. Agreed the need and a "
        "working title.",
        "Looked at what other colleges offer. Agreed to write our own, starting from carers' questions.",
        "Raised at the carers' forum. Agreed who the course is for and to look for a professional co-author.",
    ),
    Stage.DESIGN_WORKSHOP: (
        "Agreed the session plan. Carers asked for '{topic}' to come early, so it does.",
        "Drafted the learning outcomes together and cut them down to the ones carers said mattered most.",
        "Chose the carers' stories for each session and agreed a content note at the start.",
        "Agreed to open every session with a carer's account and keep slides to a minimum.",
        "Gave '{topic}' more time after carers said it was the part they most needed.",
        "Agreed plain language throughout; any term we do use goes in the glossary handout.",
    ),
    Stage.MATERIALS_WRITING: (
        "First draft of the facilitator notes and handouts for '{topic}'.",
        "Wrote the slides and the carer case studies; checked the reading level.",
        "Drafted the take-home resource list with local contacts.",
        "Finished the facilitator guide with every activity timed.",
    ),
    Stage.REVIEW: (
        "Read-through with carers: simplified two handouts and added local contacts.",
        "Reviewers asked for more on '{topic}'. Agreed to add a short exercise.",
        "Carers checked the case studies felt true to life; one rewritten.",
        "Checked for accuracy; two points corrected. Signed off subject to small wording changes.",
    ),
    Stage.PILOT: (
        "Pilot session with volunteers from the carers' group. Feedback warm; timing too tight.",
        "Piloted '{topic}' with eight carers: the role play worked, the quiz did not.",
        "Pilot session. Agreed to shorten the introduction and lengthen the break.",
    ),
    Stage.DELIVERY_DEBRIEF: (
        "Debrief after the run: attendance held up and participants asked for a follow-on group.",
        "Co-trainers agreed '{topic}' needs more time; to pick up in the next version.",
        "Good feedback. Two participants are interested in becoming peer trainers.",
        "Online run: small breakout groups worked better than open discussion.",
    ),
    Stage.REVISION: (
        "Revised '{topic}' after feedback from the last runs.",
        "Updated local contacts and crisis numbers throughout.",
        "Reworded the outcomes more plainly and added a carer's story.",
    ),
}

CHANGE_NOTES = (
    "More time for '{topic}' after feedback from the first runs",
    "Local contacts and crisis numbers updated",
    "New case studies written with the carers' group",
    "Outcomes reworded in plainer English",
    "Activities adapted so the course also works online",
)
DRAFT_NOTES = (
    "In progress: refreshing '{topic}' after the last debriefs",
    "In progress: updating local contacts for the new year",
    "In progress: new carer stories from this year's trainers",
)
RETIRE_REASONS = (
    "Replaced by a newer course",
    "Low demand over the last three terms",
    "Content now covered in another course",
    "The trainers who ran it have moved on; it may come back",
)
IDEA_DROPPED = (
    "Covered by an existing course",
    "No co-authors free this year; may return",
)
STARTED_REASONS = ("Design group formed", "Carers and tutors found to co-write it", "")
