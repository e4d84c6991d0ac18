"""Administrators rename a programme or change its words here."""

from __future__ import annotations

from django.contrib import admin

from peerpath.programmes.models import Programme


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin[Programme]):
    list_display = ["name", "code", "owner", "condition"]
    list_select_related = ["owner"]
    search_fields = ["name", "code"]
    fieldsets = [
        (None, {"fields": ["owner", "code", "name", "summary"]}),
        (
            "Words the interface uses",
            {"fields": ["person", "people", "cared_for", "cared_for_third", "condition", "cared_for_group", "served"]},
        ),
    ]
