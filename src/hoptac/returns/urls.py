from django.urls import path

from . import views

app_name = "returns"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/", views.round_view, name="round"),
    path("<int:year>/approve/", views.round_approve, name="round-approve"),
    path("<int:year>/org/<int:org_pk>/", views.return_form, name="form"),
    path("<int:year>/org/<int:org_pk>/check/", views.return_check, name="check"),
]
