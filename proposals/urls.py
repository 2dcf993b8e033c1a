from django.urls import path

from . import views

urlpatterns = [
    path("proposals/", views.inbox, name="proposal-inbox"),
    path("proposals/new", views.proposal_new, name="proposal-new"),
    path("proposals/<int:proposal_id>/", views.proposal_page, name="proposal-page"),
    path("proposals/<int:proposal_id>/act/<str:action>", views.proposal_action,
         name="proposal-action"),
    path("names/check/", views.precheck, name="name-precheck"),
]
