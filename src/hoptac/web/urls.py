from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("unit/<str:unit>/", views.unit_page, name="unit"),
    path("communes-without-htx/", views.communes_without_htx, name="communes-without-htx"),
    path("map/", views.map_page, name="map"),
    path("map/data/", views.map_data, name="map-data"),
]
