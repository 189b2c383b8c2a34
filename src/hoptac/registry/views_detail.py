"""An organisation's page, its create/edit forms, status changes and archiving. (stub, being written)"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from hoptac.accounts.access import get_organisation_for_user


@login_required
def organisation_detail(request, pk):
    org = get_organisation_for_user(request.user, pk)
    return HttpResponse(org.name)


@login_required
def organisation_create(request):
    return HttpResponse("")


@login_required
def organisation_edit(request, pk):
    org = get_organisation_for_user(request.user, pk, write=True)
    return HttpResponse(org.name)


@login_required
def organisation_status(request, pk):
    org = get_organisation_for_user(request.user, pk, write=True)
    return HttpResponse(org.name)


@login_required
def organisation_archive(request, pk):
    org = get_organisation_for_user(request.user, pk, write=True)
    return HttpResponse(org.name)
