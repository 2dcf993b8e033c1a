from django.urls import path

from . import marker_views, views

urlpatterns = [
    path("inspections/", views.inbox, name="inspection-inbox"),
    path("inspections/<int:inspection_id>/", views.inspection_page, name="inspection-page"),
    path("inspections/<int:inspection_id>/act/<str:action>", views.inspection_action,
         name="inspection-action"),
    path("inspections/<int:inspection_id>/surveys", views.survey_upload, name="survey-upload"),
    path("inspections/<int:inspection_id>/surveys/<int:upload_id>/", views.survey_preview,
         name="survey-preview"),
    path("inspections/<int:inspection_id>/surveys/<int:upload_id>/confirm",
         views.survey_confirm, name="survey-confirm"),
    path("inspections/<int:inspection_id>/jobs/<int:job_id>", views.job_progress,
         name="inspection-job"),
    path("inspections/<int:inspection_id>/surveys/<int:upload_id>/withdraw",
         views.survey_withdraw, name="survey-withdraw"),
    path("inspections/<int:inspection_id>/surveys/<int:upload_id>/replace",
         views.survey_replace, name="survey-replace"),
    path("inspections/<int:inspection_id>/hazards", views.hazard_record, name="hazard-record"),
    path("hazards/", views.hazard_register, name="hazard-register"),
    path("hazards/<int:hazard_id>/status", views.hazard_status, name="hazard-status"),
    path("inspections/lines/<int:line_id>/markers/", marker_views.line_markers,
         name="line-markers"),
    path("inspections/lines/<int:line_id>/markers/register", marker_views.marker_register,
         name="marker-register"),
    path("inspections/markers/<int:marker_id>/", marker_views.marker_page, name="marker-page"),
    path("inspections/markers/<int:marker_id>/state", marker_views.marker_state,
         name="marker-state"),
    path("inspections/markers/<int:marker_id>/move", marker_views.marker_move,
         name="marker-move"),
]
