from django.urls import path

from . import views

app_name = "units"
urlpatterns = [
    path("search/", views.unit_search, name="search"),
]
