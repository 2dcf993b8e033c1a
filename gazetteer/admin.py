"""The committee office edits classes and the ban list here; history is read-only."""

from django.contrib import admin

from config.admin_maps import LeafletGeoAdmin

from .models import NamingBan, NamingEvent, Place, PlaceClass, Sign


@admin.register(PlaceClass)
class PlaceClassAdmin(admin.ModelAdmin):
    list_display = ["code", "slug", "name", "group", "scope", "max_length"]


@admin.register(NamingBan)
class NamingBanAdmin(admin.ModelAdmin):
    list_display = ["pattern", "category", "severity"]
    list_filter = ["category", "severity"]


@admin.register(Place)
class PlaceAdmin(LeafletGeoAdmin):
    # Names change through the services (events, former names), never by editing here.
    list_display = ["id", "name", "place_class", "status", "valid_from", "valid_to"]
    list_filter = ["status", "place_class"]
    search_fields = ["name"]
    readonly_fields = ["name", "specific", "generic", "romanization", "pinyin", "initials",
                       "grams", "status", "valid_from", "valid_to", "place_class"]


@admin.register(NamingEvent)
class NamingEventAdmin(admin.ModelAdmin):
    list_display = ["effective_date", "kind", "old_value", "new_value", "document_number"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Sign)
class SignAdmin(admin.ModelAdmin):
    list_display = ["code", "text", "romanization", "status", "place"]
    list_filter = ["status"]
