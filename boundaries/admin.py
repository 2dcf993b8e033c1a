"""Divisions, lines and markers are read here with their geometry on a map; they change
only through the services and loaders (validity periods, events, marker states)."""

from django.contrib import admin

from config.admin_maps import ReadOnlyMapAdmin

from .models import BoundaryLine, DivisionVersion, MarkerState


@admin.register(DivisionVersion)
class DivisionVersionAdmin(ReadOnlyMapAdmin):
    list_display = ["code", "name", "level", "kind", "valid_from", "valid_to"]
    list_filter = ["level"]
    search_fields = ["code", "name"]


@admin.register(BoundaryLine)
class BoundaryLineAdmin(ReadOnlyMapAdmin):
    list_display = ["id", "name", "level", "left_code", "right_code", "valid_from", "valid_to"]
    list_filter = ["level"]
    search_fields = ["name"]


@admin.register(MarkerState)
class MarkerStateAdmin(ReadOnlyMapAdmin):
    list_display = ["marker", "status", "valid_from", "valid_to"]
    search_fields = ["marker__number"]
