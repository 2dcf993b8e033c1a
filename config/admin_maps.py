"""Map widgets in the admin (django-leaflet, served locally, no tiles unless MAP_TILE_URL):
editable geometry fields get Leaflet's drawing widget (LeafletGeoAdmin); the records
that change only through the services are read-only and show their geometry on a map
that cannot be edited (ReadOnlyMapAdmin)."""

from django.contrib import admin
from django.contrib.gis.db.models import GeometryField
from django.utils.safestring import mark_safe
from leaflet.admin import LeafletAdminWidget, LeafletGeoAdmin

__all__ = ["LeafletGeoAdmin", "ReadOnlyMapAdmin"]


class ShownMap(LeafletAdminWidget):
    modifiable = False


class ReadOnlyMapAdmin(admin.ModelAdmin):
    """No add, change or delete: the geometry fields as maps, the rest as text."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @property
    def media(self):
        return super().media + ShownMap().media

    def geometry_fields(self) -> list[str]:
        return [f.name for f in self.model._meta.fields if isinstance(f, GeometryField)]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "geometry_map"]

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or []), *self.geometry_fields()]

    @admin.display(description="map")
    def geometry_map(self, obj):
        parts = []
        for name in self.geometry_fields():
            value = getattr(obj, name)
            widget = ShownMap(attrs={"geom_type": self.model._meta.get_field(name).geom_type})
            parts.append(widget.render(f"{name}_map", value, {"id": f"id_{name}_map"}))
        return mark_safe("".join(parts))  # the widget's own escaped output
