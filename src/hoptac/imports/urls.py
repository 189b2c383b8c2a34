from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("registry/", views.registry_upload, name="registry"),
    path("registry/template.xlsx", views.template_download, name="registry-template"),
    path("returns/<int:year>/", views.returns_upload, name="returns"),
    path("returns/<int:year>/template.xlsx", views.returns_template_download, name="returns-template"),
    path("returns/<int:year>/export.<str:fmt>", views.returns_export, name="returns-export"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job-progress"),
    path("jobs/<int:pk>/annotated.xlsx", views.job_annotated, name="job-annotated"),
]
