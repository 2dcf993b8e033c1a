"""Proposals are read here with their geometry on a map; they move only through the
workflow services (transitions, opinions, comments and votes are records)."""

from django.contrib import admin

from config.admin_maps import ReadOnlyMapAdmin

from .models import Proposal


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyMapAdmin):
    list_display = ["id", "kind", "name", "state", "division_code", "created_at"]
    list_filter = ["state", "kind"]
    search_fields = ["name"]
