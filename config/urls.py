from django.contrib import admin
from django.urls import include, path

from boundaries.views import map_page

from .api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("ogc/", include("ogc.urls")),
    path("", map_page, name="map"),
]
