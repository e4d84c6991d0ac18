"""Administrators edit competency frameworks and schemes here.

A published framework is not edited in place, because awards were granted on it:
"Make a new draft version" copies it, the draft's competencies can be changed,
and "Publish" makes it the version new schemes point at.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from peerpath.accreditation.models import Competency, CompetencyFramework, Scheme


class CompetencyInline(admin.TabularInline[Competency, CompetencyFramework]):
    model = Competency
    extra = 0
    fields = ["order", "code", "domain_number", "domain_name", "reference", "title", "statement"]

    def _draft(self, obj: CompetencyFramework | None) -> bool:
        return obj is None or obj.status == CompetencyFramework.Status.DRAFT

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._draft(obj) and super().has_delete_permission(request, obj)


@admin.register(CompetencyFramework)
class CompetencyFrameworkAdmin(admin.ModelAdmin[CompetencyFramework]):
    list_display = ["name", "code", "version", "status"]
    list_filter = ["status"]
    inlines = [CompetencyInline]
    actions = ["new_draft_version", "publish"]

    def get_readonly_fields(self, request: HttpRequest, obj: CompetencyFramework | None = None) -> list[str]:
        if obj is not None and obj.status != CompetencyFramework.Status.DRAFT:
            return ["code", "version", "name", "description", "source", "status"]
        return ["status"]

    def has_delete_permission(self, request: HttpRequest, obj: CompetencyFramework | None = None) -> bool:
        return False

    @admin.action(description="Make a new draft version of the selected frameworks")
    def new_draft_version(self, request: HttpRequest, queryset: QuerySet[CompetencyFramework]) -> None:
        for framework in queryset:
            latest = CompetencyFramework.objects.filter(code=framework.code).order_by("-version").first()
            if latest is not None and latest.status == CompetencyFramework.Status.DRAFT:
                messages.warning(request, f"{framework.name} already has a draft: version {latest.version}")
                continue
            with transaction.atomic():
                draft = CompetencyFramework.objects.create(
                    code=framework.code,
                    version=(latest.version if latest else framework.version) + 1,
                    name=framework.name,
                    description=framework.description,
                    source=framework.source,
                )
                Competency.objects.bulk_create(
                    Competency(
                        framework=draft,
                        code=c.code,
                        domain_number=c.domain_number,
                        domain_name=c.domain_name,
                        reference=c.reference,
                        title=c.title,
                        statement=c.statement,
                        order=c.order,
                    )
                    for c in framework.competencies.all()
                )
            messages.success(request, f"{draft} is ready to edit")

    @admin.action(description="Publish the selected draft frameworks")
    def publish(self, request: HttpRequest, queryset: QuerySet[CompetencyFramework]) -> None:
        published = queryset.filter(status=CompetencyFramework.Status.DRAFT).update(
            status=CompetencyFramework.Status.PUBLISHED
        )
        messages.success(request, f"{published} published; point schemes at them to use them for new awards")


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin[Scheme]):
    list_display = ["name", "grants", "framework", "validity_months", "active"]
    list_filter = ["active", "grants"]
    raw_id_fields = ["training_courses"]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "framework":
            kwargs["queryset"] = CompetencyFramework.objects.filter(status=CompetencyFramework.Status.PUBLISHED)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request: HttpRequest, obj: Scheme | None = None) -> bool:
        # Awards point at their scheme; retire one by unticking "active".
        return False
