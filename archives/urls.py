from django.urls import path

from . import views

urlpatterns = [
    path("archives/", views.catalogue_page, name="archive-catalogue"),
    path("archives/upload", views.upload_page, name="archive-upload"),
    path("archives/<int:document_id>/", views.document_page, name="archive-document"),
    path("archives/<int:document_id>/versions", views.version_add, name="archive-version-add"),
    path("archives/<int:document_id>/links", views.link_add, name="archive-link-add"),
    path("archives/<int:document_id>/links/<int:link_id>/remove", views.link_remove,
         name="archive-link-remove"),
    path("archives/<int:document_id>/publish", views.publish, name="archive-publish"),
]
