from django.contrib import admin
from django.urls import include, path

from boundaries.views import map_page
from inspections.views import report_page

from .api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("ogc/", include("ogc.urls")),
    path("inspections/<int:inspection_id>/report", report_page, name="inspection-report"),
    path("", map_page, name="map"),
]
