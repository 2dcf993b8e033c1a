from django.urls import path

from . import views

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
    path("hazards/", views.hazard_register, name="hazard-register"),
]
