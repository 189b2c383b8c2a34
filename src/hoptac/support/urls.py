from django.urls import path

from . import views

app_name = "support"
urlpatterns = [
    path("", views.support_list, name="list"),
    path("export.<str:fmt>", views.support_export, name="export"),
    path("organisation/<int:org_pk>/new/", views.record_create, name="record-create"),
    path("<int:pk>/edit/", views.record_edit, name="record-edit"),
    path("<int:pk>/delete/", views.record_delete, name="record-delete"),
    path("loans/", views.loan_book_view, name="loans"),
    path("loans/export.<str:fmt>", views.loans_export, name="loans-export"),
    path("loans/organisation/<int:org_pk>/new/", views.loan_create, name="loan-create"),
    path("loans/<int:pk>/", views.loan_detail, name="loan-detail"),
    path("loans/<int:pk>/edit/", views.loan_edit, name="loan-edit"),
    path("loans/<int:pk>/repayment/", views.repayment_create, name="repayment-create"),
    path("loans/<int:pk>/write-off/", views.loan_write_off, name="loan-write-off"),
    path("loans/repayments/<int:pk>/delete/", views.repayment_cancel, name="repayment-delete"),
    path("union/", views.union_list, name="union"),
    path("union/new/", views.union_create, name="union-create"),
    path("union/<int:pk>/edit/", views.union_edit, name="union-edit"),
    path("union/<int:pk>/delete/", views.union_delete, name="union-delete"),
]
