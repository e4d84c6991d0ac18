"""Administrators edit the co-production rule here; courses go through the service screens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from peerpath.courses.choices import Stage
from peerpath.courses.models import CoproductionRule


class CoproductionRuleForm(forms.ModelForm[CoproductionRule]):
    lived_experience_stages = forms.MultipleChoiceField(
        choices=Stage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Stages in which people with lived experience must have taken part",
    )
    design_stages = forms.MultipleChoiceField(
        choices=Stage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Stages whose hours count as design hours for the share below",
    )

    class Meta:
        model = CoproductionRule
        fields = ["lived_experience_stages", "design_stages", "minimum_lived_design_share"]


@admin.register(CoproductionRule)
class CoproductionRuleAdmin(admin.ModelAdmin[CoproductionRule]):
    form = CoproductionRuleForm
    list_display = ["__str__", "minimum_lived_design_share", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One rule for the installation; the migration creates it.
        return super().has_add_permission(request) and not CoproductionRule.objects.exists()

    def save_model(self, request: HttpRequest, obj: CoproductionRule, form: Any, change: bool) -> None:
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request: HttpRequest, obj: CoproductionRule | None = None) -> bool:
        return False
