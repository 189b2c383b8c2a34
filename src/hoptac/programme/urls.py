from django.urls import path

from . import views

app_name = "programme"
urlpatterns = [
    path("", views.index, name="index"),
    path("agency/<int:pk>/", views.agency, name="agency"),
    path("task/<int:pk>/", views.task, name="task"),
    path("task/<int:pk>/report/<int:year>/", views.report, name="report"),
    path("attachment/<int:pk>/", views.attachment, name="attachment"),
    path("attachment/<int:pk>/remove/", views.attachment_remove, name="attachment-remove"),
    path("<slug:plan_slug>/", views.board, name="board"),
    path("<slug:plan_slug>/budget/", views.budget, name="budget"),
]
