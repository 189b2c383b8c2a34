from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from hoptac.accounts.access import visible_units

from .services import search_units


@login_required
def unit_search(request):
    """htmx: the units in the user's scope whose names match `q`, as <option>s of a datalist."""
    q = request.GET.get("q", "")
    units = search_units(q, queryset=visible_units(request.user), limit=20) if len(q.strip()) >= 2 else []
    return render(request, "units/_unit_options.html", {"units": units})
