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

from peerpath.evaluation import definitions, instruments
from peerpath.evaluation.models import InstrumentVersion

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
