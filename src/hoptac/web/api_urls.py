from django.urls import path

from . import api

app_name = "api"
urlpatterns = [
    path("indicators/", api.indicators, name="indicators"),
    path("progress/", api.progress, name="progress"),
]
