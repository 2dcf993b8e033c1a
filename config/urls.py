from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from accounts import views as accounts_views
from boundaries.views import division_page, map_page
from gazetteer import views as gazetteer_views
from inspections.views import report_page

from .api import api


def favicon(request):
    """What browsers ask for on their own (a 404 there is a console error on every first
    page, and /api/docs names no icon): the site's icon, under its collected name."""
    return redirect(static("registry/favicon.svg"), permanent=True)


urlpatterns = [
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("ogc/", include("ogc.urls")),
    path("tiles/", include("tiles.urls")),
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
    path("", include("mergers.urls")),
    path("", include("proposals.urls")),
    path("", include("campaigns.urls")),
    path("", include("inspections.urls")),
    path("", include("archives.urls")),
    path("", map_page, name="map"),
]
