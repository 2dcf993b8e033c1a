from django.urls import path, re_path

from . import views

urlpatterns = [
    path("", views.index, name="tiles-index"),
    path("<str:layer>.json", views.tilejson, name="tiles-tilejson"),
    # z/x/y as any text: a malformed one is a 400 naming it, not a 404
    re_path(r"^(?P<layer>[^/]+)/(?P<z>[^/]+)/(?P<x>[^/]+)/(?P<y>[^/]+)\.pbf$", views.tile,
            name="tiles-tile"),
]
