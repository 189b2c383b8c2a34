"""The organisation list: filters, search, sorting, pagination, counts, exports. (stub, being written)"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from hoptac.accounts.access import visible_organisations


@login_required
def organisation_list(request):
    orgs = visible_organisations(request.user).order_by("name")[:50]
    return render(request, "registry/organisation_list.html", {"organisations": orgs})


@login_required
def organisation_export(request, fmt):
    raise Http404
