"""Administrators read instrument definitions and write new versions of them here.

A published version is read-only: scores point at it. "Make a new draft version" copies
the latest version's document with the next version number; the draft's JSON document
can be edited, is validated against the ``peerpath-instrument`` format on every save, and
"Publish" makes it available. Licensed wording is never typed into a definition whose
licence does not allow shipping it: the format refuses it (install it locally instead).
"""

from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from peerpath.core import audit
from peerpath.courses.choices import Category
from peerpath.evaluation import definitions, instruments, responses, scheduling
from peerpath.evaluation.models import (
    Answer,
    InstrumentVersion,
    Response,
    SafetyAlert,
    Schedule,
    ScheduleInstrument,
    Score,
    Timepoint,
)
from peerpath.evaluation.schedules import newest_published

LISTED = ("short_name", "code", "version", "scoring_version", "respondent", "licence_class", "ships_text", "status")


class InstrumentVersionForm(forms.ModelForm[InstrumentVersion]):
    class Meta:
        model = InstrumentVersion
        fields = ["definition"]

    def clean_definition(self) -> Any:
        document = self.cleaned_data["definition"]
        if not isinstance(document, dict):
            raise forms.ValidationError("The definition must be a JSON object (a peerpath-instrument document)")
        try:
            definitions.parse(document)
        except definitions.DefinitionError as error:
            raise forms.ValidationError(str(error)) from None
        instance = self.instance
        if instance.pk and (document.get("code"), document.get("version")) != (instance.code, instance.version):
            raise forms.ValidationError(
                f"Keep code {instance.code!r} and version {instance.version}: make a new draft version to change them"
            )
        return document

    def save(self, commit: bool = True) -> InstrumentVersion:
        for name, value in instruments.row_fields(self.cleaned_data["definition"]).items():
            setattr(self.instance, name, value)
        return super().save(commit)


@admin.register(InstrumentVersion)
class InstrumentVersionAdmin(admin.ModelAdmin[InstrumentVersion]):
    form = InstrumentVersionForm
    list_display = list(LISTED)
    list_filter = ["status", "respondent", "licence_class", "origin"]
    search_fields = ["code", "name", "short_name"]
    actions = ["new_draft_version", "publish", "retire"]

    def get_readonly_fields(self, request: HttpRequest, obj: InstrumentVersion | None = None) -> list[str]:
        described = [*LISTED, "name", "own_measure", "origin", "checksum", "created_at"]
        if obj is not None and obj.status != InstrumentVersion.Status.DRAFT:
            return [*described, "definition"]
        return described

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a new version starts as a copy: "Make a new draft version"

    def has_delete_permission(self, request: HttpRequest, obj: InstrumentVersion | None = None) -> bool:
        return False

    @admin.action(description="Make a new draft version of the selected instruments")
    def new_draft_version(self, request: HttpRequest, queryset: QuerySet[InstrumentVersion]) -> None:
        for chosen in queryset:
            latest = InstrumentVersion.objects.filter(code=chosen.code).order_by("-version").first() or chosen
            if latest.status == InstrumentVersion.Status.DRAFT:
                messages.warning(request, f"{chosen.short_name} already has a draft: version {latest.version}")
                continue
            document = copy.deepcopy(latest.definition)
            document["version"] = latest.version + 1
            with transaction.atomic():
                draft = InstrumentVersion.objects.create(
                    **instruments.row_fields(document),
                    status=InstrumentVersion.Status.DRAFT,
                    origin=InstrumentVersion.Origin.LOCAL,
                )
            messages.success(request, f"{draft} is ready to edit")

    @admin.action(description="Publish the selected drafts")
    def publish(self, request: HttpRequest, queryset: QuerySet[InstrumentVersion]) -> None:
        count = queryset.filter(status=InstrumentVersion.Status.DRAFT).update(status=InstrumentVersion.Status.PUBLISHED)
        messages.success(request, f"{count} published")

    @admin.action(description="Retire the selected versions (no new questionnaires use them)")
    def retire(self, request: HttpRequest, queryset: QuerySet[InstrumentVersion]) -> None:
        count = queryset.filter(status=InstrumentVersion.Status.PUBLISHED).update(
            status=InstrumentVersion.Status.RETIRED
        )
        messages.success(request, f"{count} retired")


# ---------------------------------------------------------------------------------------
# Responses and safety alerts: read in the admin; a response changes only through
# ``peerpath.evaluation.responses``, and an alert is closed with a note by that module too.


class _ReadOnlyInline(admin.TabularInline[Any, Response]):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AnswerInline(_ReadOnlyInline):
    model = Answer
    fields = ["item_id", "value", "answered_at"]


class ScoreInline(_ReadOnlyInline):
    model = Score
    fields = ["scale_code", "value", "raw", "band", "answered", "missing", "prorated", "scoring_version", "scored_at"]


class SafetyAlertInline(_ReadOnlyInline):
    model = SafetyAlert
    fields = ["item_id", "value", "status", "created_at", "closed_by", "closed_at"]


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin[Response]):
    list_display = ["instrument_version", "person", "run", "timepoint", "mode", "status", "started_at", "completed_at"]
    list_filter = ["status", "mode", "timepoint", "instrument_version__code"]
    list_select_related = ["instrument_version", "person", "run"]
    inlines = [AnswerInline, ScoreInline, SafetyAlertInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # started by the questionnaire pages and staff entry, never typed in here

    def has_change_permission(self, request: HttpRequest, obj: Response | None = None) -> bool:
        return False  # answers change only through the services, which check and audit them

    def has_delete_permission(self, request: HttpRequest, obj: Response | None = None) -> bool:
        return False


class SafetyAlertCloseForm(forms.ModelForm[SafetyAlert]):
    note = forms.CharField(
        widget=forms.Textarea,
        label="How was it followed up?",
        error_messages={"required": "Enter a note of how the alert was followed up"},
        help_text="Saving closes the alert. The note is kept with the alert, not in the audit log.",
    )

    class Meta:
        model = SafetyAlert
        fields = ["note"]


@admin.register(SafetyAlert)
class SafetyAlertAdmin(admin.ModelAdmin[SafetyAlert]):
    form = SafetyAlertCloseForm
    list_display = ["created_at", "response", "item_id", "status", "closed_by", "closed_at"]
    list_filter = ["status"]
    list_select_related = ["response__instrument_version", "closed_by"]
    readonly_fields = ["response", "item_id", "value", "message", "status", "created_at", "closed_by", "closed_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # raised by submitting a questionnaire

    def has_change_permission(self, request: HttpRequest, obj: SafetyAlert | None = None) -> bool:
        return obj is None or obj.status == SafetyAlert.Status.OPEN

    def has_delete_permission(self, request: HttpRequest, obj: SafetyAlert | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: SafetyAlert, form: Any, change: bool) -> None:
        try:
            responses.close_safety_alert(
                actor=audit.person_actor(request.user), alert=obj, note=form.cleaned_data["note"]
            )
        except responses.AnswerError as error:
            messages.error(request, str(error))


# ---------------------------------------------------------------------------------------
# Schedules: which instruments a course category asks at each timepoint, network-wide or for
# one organisation. A run's own schedule is usually set from its evaluation page by its
# coordinators (``peerpath.evaluation.scheduling``); administrators can also see it here.


class ScheduleInstrumentForm(forms.ModelForm[ScheduleInstrument]):
    class Meta:
        model = ScheduleInstrument
        fields = ["instrument_code", "position"]

    def clean_instrument_code(self) -> str:
        code = str(self.cleaned_data["instrument_code"]).strip()
        version = newest_published([code]).get(code)
        if version is None:
            raise forms.ValidationError(f"There is no published instrument with the code {code!r}: publish it first")
        if version.respondent == scheduling.COLLEGE:
            raise forms.ValidationError(
                f"{version.short_name} is answered by the college about itself, not by participants: "
                "it cannot be scheduled"
            )
        return code


class ScheduleInstrumentInline(admin.TabularInline[ScheduleInstrument, Schedule]):
    model = ScheduleInstrument
    form = ScheduleInstrumentForm
    extra = 1
    fields = ["instrument_code", "position"]


class ScheduleForm(forms.ModelForm[Schedule]):
    class Meta:
        model = Schedule
        fields = ["category", "organisation", "run", "timepoint", "days", "open_days", "active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        category, run = data.get("category"), data.get("run")
        # Errors go on the fields, so the model's own check of the same rule (a generic
        # "constraint violated") is skipped and only these messages show.
        if category and run:
            self.add_error("run", "Choose a course category or a run, not both")
        elif not category and not run and "run" not in self.errors:
            self.add_error("category", "Choose the course category this schedule is for (or a run, for one run only)")
        elif run and data.get("organisation"):
            self.add_error("organisation", "Leave the organisation empty for a run's own schedule: the run's is used")
        elif "timepoint" in data:
            self._check_once(data)
        return data

    def _check_once(self, data: dict[str, Any]) -> None:
        """One schedule per run, or per organisation (or the network) and category, at each timepoint."""
        timepoint = data["timepoint"]
        label = str(Timepoint(timepoint).label).lower()
        if data.get("run"):
            same = Schedule.objects.filter(run=data["run"])
            message = f"This run already has its own schedule at {label}: change that one"
        else:
            organisation = data.get("organisation")
            same = Schedule.objects.filter(run=None, category=data.get("category"), organisation=organisation)
            whose = f"{organisation.name}'s" if organisation else "The network's"
            message = f"{whose} {Category(data['category']).label} schedules already include {label}: change that one"
        if same.filter(timepoint=timepoint).exclude(pk=self.instance.pk).exists():
            self.add_error("timepoint", message)


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin[Schedule]):
    form = ScheduleForm
    inlines = [ScheduleInstrumentInline]
    list_display = ["__str__", "organisation", "timepoint", "days", "open_days", "active"]
    list_filter = ["category", "timepoint", "active", "organisation"]
    list_select_related = ["organisation", "run__version__course", "run__term"]
    raw_id_fields = ["run"]
