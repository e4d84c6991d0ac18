"""The report filters, read from the address so that a filtered report can be shared.

A bad value (an organisation the user may not see, a date that is not a date, a term that
does not exist) is dropped with a message saying so, and the report is shown without it:
never a 500, never someone else's figures (ADR 019).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from peerpath.core.forms import NHSDateField, NHSForm
from peerpath.courses.choices import Category
from peerpath.courses.models import Course, Term
from peerpath.delivery.models import CourseRun
from peerpath.people.access import principal_for
from peerpath.people.models import Area, Organisation
from peerpath.reports import access
from peerpath.reports.models import DisclosurePolicy

# With no dates and no term, reports cover the year up to today.
DEFAULT_DAYS = 365
# The longest period one report covers; a longer one is cut to this, with a message.
MAX_YEARS = 10


@dataclass(frozen=True, kw_only=True)
class Scope:
    """What a report covers: organisations, a period and optional narrowing, and how it is shown.

    ``organisation_ids`` is every organisation the report covers (never empty: a user who
    may report on none gets a 403 before a scope is made). ``all_organisations`` is true
    when that is every organisation in the installation.
    """

    organisation_ids: frozenset[uuid.UUID]
    all_organisations: bool
    start: datetime.date
    end: datetime.date
    term: Term | None = None
    area: Area | None = None
    category: str = ""
    course: Course | None = None
    # Exact figures on screen (administrators; coordinators for their own organisations).
    exact: bool = False
    # Counts over the whole installation, when the policy says it is national: not controlled.
    national: bool = False
    policy: DisclosurePolicy = field(default_factory=DisclosurePolicy)
    organisation_names: tuple[str, ...] = ()

    @property
    def cache_key(self) -> str:
        """What the figures depend on: organisations, period and narrowing (not how they are shown)."""
        return "|".join(
            [
                ",".join(sorted(str(pk) for pk in self.organisation_ids)),
                self.start.isoformat(),
                self.end.isoformat(),
                str(self.term.pk if self.term else ""),
                str(self.area.pk if self.area else ""),
                self.category,
                str(self.course.pk if self.course else ""),
            ]
        )

    @property
    def published(self) -> Scope:
        """The same scope for an output that leaves PeerPath: always disclosure-controlled."""
        return replace(self, exact=False)

    def runs(self) -> QuerySet[CourseRun]:
        """Runs of the scope's organisations whose first session falls in the period."""
        start, end = self.start_at, self.end_at
        runs = CourseRun.objects.filter(
            organisation_id__in=self.organisation_ids, starts_at__gte=start, starts_at__lt=end
        ).exclude(status=CourseRun.Status.CANCELLED)
        if self.term is not None:
            runs = runs.filter(term=self.term)
        if self.category:
            runs = runs.filter(version__course__category=self.category)
        if self.course is not None:
            runs = runs.filter(version__course=self.course)
        return runs

    def people_filter(self, prefix: str = "") -> Q:
        """Narrowing on the person (their borough), for a query reaching Person through ``prefix``."""
        if self.area is None:
            return Q()
        return Q(**{f"{prefix}area": self.area})

    @property
    def start_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))

    @property
    def end_at(self) -> datetime.datetime:
        """The first moment after the period (its end date is included)."""
        return timezone.make_aware(datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min))

    def describe(self) -> list[tuple[str, str]]:
        """What the report covers, as (label, value) rows for the page and every export."""
        rows = [("Period", f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}")]
        if self.term is not None:
            rows.append(("Term", self.term.name))
        if self.all_organisations:
            rows.append(("Organisations", "All organisations"))
        else:
            rows.append(("Organisations", ", ".join(self.organisation_names)))
        if self.area is not None:
            rows.append(("Borough", self.area.name))
        if self.category:
            rows.append(("Course category", Category(self.category).label))
        if self.course is not None:
            rows.append(("Course", self.course.title))
        return rows


class ReportFilterForm(NHSForm):
    start = NHSDateField(label="From", required=False, noun="a start date")
    end = NHSDateField(label="To", required=False, noun="an end date")
    term = forms.ChoiceField(label="Term", required=False)
    organisation = forms.MultipleChoiceField(label="Organisations", required=False, widget=forms.CheckboxSelectMultiple)
    area = forms.ChoiceField(label="Borough", required=False)
    category = forms.ChoiceField(label="Course category", required=False)
    course = forms.ChoiceField(label="Course", required=False)

    # Shown when a field's value is dropped: what the report does instead.
    DROPPED = {
        "start": "The start date was not a real date, so the report starts a year before the end date.",
        "end": "The end date was not a real date, so the report ends today.",
        "term": "The term in the address was not recognised, so no term is applied.",
        "organisation": "An organisation in the address was not recognised, so all your organisations are shown.",
        "area": "The borough in the address was not recognised, so every borough is shown.",
        "category": "The course category in the address was not recognised, so every category is shown.",
        "course": "The course in the address was not recognised, so every course is shown.",
    }

    def __init__(
        self,
        data: QueryDict,
        *,
        organisations: Sequence[Organisation],
        terms: Sequence[Term],
        areas: Sequence[Area],
        courses: Sequence[Course],
    ) -> None:
        super().__init__(data)
        several = len(organisations) > 1
        self.fields["term"].choices = [  # type: ignore[attr-defined]
            ("", "Any term"),
            *((term.slug, f"{term.name}, {term.organisation.name}" if several else term.name) for term in terms),
        ]
        self.fields["organisation"].choices = [  # type: ignore[attr-defined]
            (str(organisation.pk), organisation.name) for organisation in organisations
        ]
        self.fields["area"].choices = [("", "Any borough"), *((area.code, area.name) for area in areas)]  # type: ignore[attr-defined]
        self.fields["category"].choices = [("", "Any category"), *Category.choices]  # type: ignore[attr-defined]
        self.fields["course"].choices = [  # type: ignore[attr-defined]
            ("", "Any course"),
            *((str(course.pk), course.title) for course in courses),
        ]
        self.nhs_options = {name: {"no_optional": True} for name in self.fields}

    def valid_values(self) -> tuple[dict[str, Any], list[str]]:
        """Each field's cleaned value, or its empty value with a message when it was bad."""
        self.is_valid()
        values: dict[str, Any] = {}
        messages: list[str] = []
        for name, form_field in self.fields.items():
            if name in self.errors:
                messages.append(self.DROPPED[name])
                values[name] = [] if isinstance(form_field, forms.MultipleChoiceField) else None
            else:
                values[name] = self.cleaned_data.get(name)
        return values, messages


@dataclass(kw_only=True)
class Filters:
    scope: Scope
    form: ReportFilterForm
    messages: list[str]
    # The query string of the valid filters, for links to other report pages and exports.
    query: str


def current_policy() -> DisclosurePolicy:
    """The policy in force: the newest saved row, or the defaults when none has been saved."""
    return DisclosurePolicy.objects.first() or DisclosurePolicy()


def read_filters(user: Any, data: QueryDict, *, today: datetime.date | None = None) -> Filters:
    """The scope a report request asks for, within what ``user`` may see (a fixed number of queries)."""
    today = today or timezone.localdate()
    organisations = list(access.report_organisations(user))
    allowed = {organisation.pk for organisation in organisations}
    terms = list(Term.objects.filter(organisation_id__in=allowed).select_related("organisation").order_by("-starts_on"))
    areas = list(Area.objects.order_by("name"))
    courses = list(
        Course.objects.filter(Q(owner_id__in=allowed) | Q(partners__in=allowed)).distinct().order_by("title")
    )
    form = ReportFilterForm(data, organisations=organisations, terms=terms, areas=areas, courses=courses)
    values, messages = form.valid_values()

    term = next((t for t in terms if t.slug == values["term"]), None)
    if term is not None:
        start, end = term.starts_on, term.ends_on
    else:
        end = values["end"] or today
        start = values["start"] or end - datetime.timedelta(days=DEFAULT_DAYS)
    if start > end:
        messages.append("The start date was after the end date, so the two were swapped.")
        start, end = end, start
    if (end - start).days > MAX_YEARS * 366:
        messages.append(f"A report covers at most {MAX_YEARS} years, so the start date was moved.")
        start = end - datetime.timedelta(days=MAX_YEARS * 366)

    chosen_ids = [uuid.UUID(value) for value in values["organisation"] or []]
    chosen = frozenset(chosen_ids) if chosen_ids else frozenset(allowed)
    everything = not chosen_ids and principal_for(user).is_administrator
    policy = current_policy()
    names = tuple(organisation.name for organisation in organisations if organisation.pk in chosen)
    scope = Scope(
        organisation_ids=chosen,
        all_organisations=everything,
        start=start,
        end=end,
        term=term,
        area=next((area for area in areas if area.code == values["area"]), None),
        category=values["category"] or "",
        course=next((course for course in courses if str(course.pk) == values["course"]), None),
        exact=access.sees_exact(user, chosen),
        national=everything and policy.network_is_national,
        policy=policy,
        organisation_names=names,
    )
    return Filters(scope=scope, form=form, messages=messages, query=_query(form, values))


def _query(form: ReportFilterForm, values: dict[str, Any]) -> str:
    query = QueryDict(mutable=True)
    for name in ("term", "area", "category", "course"):
        if values.get(name):
            query[name] = values[name]
    for name in ("start", "end"):
        if values.get(name) and not values.get("term"):
            day: datetime.date = values[name]
            query[f"{name}_day"], query[f"{name}_month"], query[f"{name}_year"] = (
                str(day.day),
                str(day.month),
                str(day.year),
            )
    if values.get("organisation"):
        query.setlist("organisation", list(values["organisation"]))
    return query.urlencode()
