"""Inspections are read here; they change only through the services (transitions, signatures,
voided signatures and hazard history are records, not fields to edit)."""

from django.contrib import admin

from config.admin_maps import ReadOnlyMapAdmin

from .models import Hazard, HazardChange, Inspection, InspectionTransition, SurveyUpload


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class TransitionInline(admin.TabularInline):
    model = InspectionTransition
    fields = ["at", "action", "from_state", "to_state", "actor", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class UploadInline(admin.TabularInline):
    model = SurveyUpload
    fields = ["side", "file_name", "format", "crs", "crs_source", "encoding", "feature_count",
              "confirmed", "uploaded_by", "uploaded_at", "status", "withdrawn_by",
              "withdrawn_at", "withdrawal_reason", "replaced_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ["id", "line", "round", "year", "due_date", "state", "completed_on"]
    list_filter = ["state", "year"]
    search_fields = ["line__name"]
    inlines = [TransitionInline, UploadInline]


class HazardChangeInline(admin.TabularInline):
    model = HazardChange
    fields = ["at", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Hazard)
class HazardAdmin(ReadOnlyMapAdmin):
    list_display = ["id", "line", "inspection", "severity", "status", "recorded_at"]
    list_filter = ["status", "severity"]
    search_fields = ["description", "line__name"]
    inlines = [HazardChangeInline]
