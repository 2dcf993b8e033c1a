"""The planners' pages (mergers.views)."""

from django.urls import path

from . import views

urlpatterns = [
    path("mergers/", views.sandbox, name="merger-sandbox"),
    path("mergers/simulate", views.simulate, name="merger-simulate"),
    path("mergers/suggest", views.suggest, name="merger-suggest"),
    path("mergers/scenarios/new", views.scenario_save, name="scenario-save"),
    path("mergers/scenarios/<int:scenario_id>/", views.scenario_page,
         name="scenario-page"),
    path("mergers/scenarios/<int:scenario_id>/propose", views.scenario_propose,
         name="scenario-propose"),
    path("mergers/compare", views.compare_page, name="scenario-compare"),
    path("mergers/changes/<int:change_id>/", views.change_page, name="change-page"),
    path("mergers/changes/<int:change_id>/<str:action>", views.change_action,
         name="change-action"),
]
