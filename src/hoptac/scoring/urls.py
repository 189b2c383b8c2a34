from django.urls import path

from . import views

app_name = "scoring"
urlpatterns = [
    path("", views.index, name="index"),
    path("schemes/", views.scheme_list, name="schemes"),
    path("<int:year>/", views.round_view, name="round"),
    path("<int:year>/compute/", views.round_compute, name="round-compute"),
    path("<int:year>/org/<int:org_pk>/", views.sheet_form, name="form"),
    path("<int:year>/org/<int:org_pk>/check/", views.sheet_check, name="check"),
]
