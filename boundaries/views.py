"""The map page: a thin client of the public API (Leaflet is served locally: works offline)."""

from django.shortcuts import render


def map_page(request):
    return render(request, "boundaries/map.html")
