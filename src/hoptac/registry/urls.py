from django.urls import path

from . import views_detail, views_list

app_name = "registry"
urlpatterns = [
    path("", views_list.organisation_list, name="organisation-list"),
    path("export.<str:fmt>", views_list.organisation_export, name="organisation-export"),
    path("new/", views_detail.organisation_create, name="organisation-create"),
    path("<int:pk>/", views_detail.organisation_detail, name="organisation-detail"),
    path("<int:pk>/edit/", views_detail.organisation_edit, name="organisation-edit"),
    path("<int:pk>/status/", views_detail.organisation_status, name="organisation-status"),
    path("<int:pk>/archive/", views_detail.organisation_archive, name="organisation-archive"),
]
