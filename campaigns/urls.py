from django.urls import path

from . import views

urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaign-list"),
    path("campaigns/<int:campaign_id>/", views.campaign_page, name="campaign-page"),
    path("campaigns/<int:campaign_id>/progress", views.campaign_progress,
         name="campaign-progress"),
    path("campaigns/<int:campaign_id>/run", views.campaign_rerun, name="campaign-rerun"),
    path("campaigns/<int:campaign_id>/report.csv", views.campaign_report,
         name="campaign-report"),
    path("campaigns/findings/<int:finding_id>/triage", views.finding_triage,
         name="campaign-triage"),
]
