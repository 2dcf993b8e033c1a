"""The one NinjaAPI: its OpenAPI document, its schemas, and the bench-only baselines."""

import importlib
import importlib.util
import uuid

import pytest
from django.apps import apps
from django.conf import settings
from ninja import NinjaAPI, Schema
from ninja.testing import TestClient

from config.api import mount_bench

# The endpoints every client relies on: none may drop out of the document.
MAIN_PATHS = {
    "/api/v1/divisions", "/api/v1/divisions/crosswalk", "/api/v1/divisions/{code}",
    "/api/v1/divisions/{code}/children", "/api/v1/divisions/{code}/geometry",
    "/api/v1/divisions/{code}/lineage", "/api/v1/divisions/{code}/neighbours",
    "/api/v1/reverse", "/api/v1/boundaries", "/api/v1/boundaries/overdue",
    "/api/v1/boundaries/{line_id}", "/api/v1/boundaries/{line_id}/markers",
    "/api/v1/places", "/api/v1/places/classes", "/api/v1/places/export",
    "/api/v1/places/{place_id}", "/api/v1/places/{place_id}/history",
    "/api/v1/places/{place_id}/signs", "/api/v1/signs", "/api/v1/names/check",
    "/api/v1/changes", "/api/v1/inspections", "/api/v1/inspections/{inspection_id}",
    "/api/v1/inspections/{inspection_id}/surveys",
    "/api/v1/inspections/{inspection_id}/report", "/api/v1/inspections/{inspection_id}/{action}",
    "/api/v1/hazards", "/api/v1/hazards/{hazard_id}", "/api/v1/proposals",
    "/api/v1/proposals/{proposal_id}", "/api/v1/proposals/{proposal_id}/{action}",
    "/api/v1/consultations",
}


def app_modules(name: str) -> list:
    """Each of the project's apps' module ``name`` (api, schemas), where it has one."""
    return [importlib.import_module(f"{config.name}.{name}") for config in apps.get_app_configs()
            if not config.name.startswith("django") and "." not in config.name
            and importlib.util.find_spec(f"{config.name}.{name}")]


def documented_operations() -> set[str]:
    """Every path an app's router declares for the document (ninja's {int:x} written {x})."""
    paths = set()
    for module in app_modules("api"):
        router = module.router
        for path, view in router.path_operations.items():
            if any(op.include_in_schema for op in view.operations):
                paths.add("/api/v1" + path.replace("{int:", "{"))
    return paths


@pytest.fixture(scope="module")
def document(django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        from django.test import Client
        response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_it_documents_every_endpoint_in_the_openapi_document(document):
    assert document["openapi"].startswith("3.")
    assert MAIN_PATHS <= set(document["paths"])


def test_it_documents_every_operation_the_routers_declare(document):
    assert documented_operations() <= set(document["paths"])


def test_it_keeps_the_bench_baselines_out_of_the_document(document):
    assert not {"/api/v1/ping", "/api/v1/sql1"} & set(document["paths"])


def test_it_types_the_properties_of_every_geojson_feature(document):
    schemas = document["components"]["schemas"]
    features = {name: s for name, s in schemas.items()
                if s.get("properties", {}).get("type", {}).get("default") == "Feature"}
    assert {"DivisionFeatureOut", "BoundaryLineFeatureOut"} <= set(features)
    for feature in features.values():
        ref = feature["properties"]["properties"]["$ref"]
        properties = schemas[ref.rsplit("/", 1)[-1]]
        assert "additionalProperties" not in properties
        assert {"code", "name"} & set(properties["properties"])


def project_schemas() -> list[type]:
    """The schema classes each app's schemas module (and config.paging) defines itself."""
    modules = app_modules("schemas")
    modules.append(importlib.import_module("config.paging"))
    return [obj for module in modules for obj in vars(module).values()
            if isinstance(obj, type) and issubclass(obj, Schema)
            and obj.__module__ == module.__name__
            and obj.__pydantic_generic_metadata__["origin"] is None]  # not PageOut[X]


def test_it_names_every_schema_once_as_in_or_out():
    names = [cls.__name__ for cls in project_schemas()]
    assert len(names) == len(set(names))
    assert [n for n in names if not n.endswith(("In", "Out"))] == []


@pytest.mark.skipif(settings.BENCH, reason="BENCH=1 is set: the baselines are mounted")
def test_it_answers_404_for_the_bench_baselines_without_bench(client):
    assert client.get("/api/v1/ping").status_code == 404
    assert client.get("/api/v1/sql1").status_code == 404


def bench_api(*, enabled: bool) -> NinjaAPI:
    target = NinjaAPI(urls_namespace=f"bench-{uuid.uuid4().hex}")
    mount_bench(target, enabled=enabled)
    return target


def routes(target: NinjaAPI) -> set[str]:
    return {str(pattern.pattern) for pattern in target.urls[0]}


@pytest.mark.django_db
def test_it_mounts_the_bench_baselines_with_bench():
    on = bench_api(enabled=True)
    assert {"v1/ping", "v1/sql1"} <= routes(on)
    assert TestClient(on).get("/v1/ping").json() == {"ok": True}
    assert TestClient(on).get("/v1/sql1").json() == {"ok": True}


def test_it_mounts_no_bench_baseline_without_bench():
    assert not {"v1/ping", "v1/sql1"} & routes(bench_api(enabled=False))


def test_it_serves_the_api_docs_from_local_assets(client):
    # Offline offices: Swagger UI must come from our own static files, not a CDN.
    import re

    page = client.get("/api/docs")
    html = page.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert page.status_code == 200
    assert any("swagger-ui-bundle" in a for a in assets), assets
    assert not [a for a in assets if re.match(r"(https?:)?//", a)], assets
