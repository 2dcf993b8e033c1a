from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views as accounts_views
from boundaries.views import division_page, map_page
from gazetteer import views as gazetteer_views
from inspections.views import report_page
from mergers import views as mergers_views

from .api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("ogc/", include("ogc.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/profile/", accounts_views.profile, name="profile"),
    path("accounts/tokens/<int:token_id>/revoke", accounts_views.token_revoke,
         name="token-revoke"),
    path("divisions/<str:code>/", division_page, name="division-page"),
    path("places/<int:place_id>/", gazetteer_views.place_page, name="place-page"),
    path("search/suggest", gazetteer_views.suggest, name="suggest"),
    path("changes/", gazetteer_views.changes_page, name="changes-page"),
    path("changes/feed.atom", gazetteer_views.ChangesAtom(), name="changes-atom"),
    path("changes/feed.rss", gazetteer_views.ChangesRss(), name="changes-rss"),
    path("inspections/<int:inspection_id>/report", report_page, name="inspection-report"),
    path("mergers/", mergers_views.sandbox, name="merger-sandbox"),
    path("mergers/simulate", mergers_views.simulate, name="merger-simulate"),
    path("mergers/suggest", mergers_views.suggest, name="merger-suggest"),
    path("mergers/scenarios/new", mergers_views.scenario_save, name="scenario-save"),
    path("mergers/scenarios/<int:scenario_id>/", mergers_views.scenario_page,
         name="scenario-page"),
    path("mergers/scenarios/<int:scenario_id>/propose", mergers_views.scenario_propose,
         name="scenario-propose"),
    path("mergers/compare", mergers_views.compare_page, name="scenario-compare"),
    path("mergers/changes/<int:change_id>/", mergers_views.change_page, name="change-page"),
    path("mergers/changes/<int:change_id>/<str:action>", mergers_views.change_action,
         name="change-action"),
    path("", map_page, name="map"),
]
