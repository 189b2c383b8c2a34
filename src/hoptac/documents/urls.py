from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:pk>/row/", views.report_row, name="report-row"),
    path("<int:pk>/again/", views.report_again, name="report-again"),
    path("<int:pk>/<str:fmt>/", views.report_download, name="download"),
]
