"""The organisation list: filters, search, sorting, pagination, counts, and its exports."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from hoptac.accounts import access

from . import exports
from .filters import OrganisationFilterForm
from .queries import DEFAULT_SORT, SORT_LABELS, organisation_counts, organisation_list_queryset

EXPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _is_fragment_request(request: HttpRequest) -> bool:
    # htmx restoring a page missing from its history cache asks for the whole page.
    return "HX-Request" in request.headers and "HX-History-Restore-Request" not in request.headers


def _sort_headers(current: str) -> dict[str, dict]:
    """For each sortable column: the `sort` value its header link sets, and its current direction."""
    out = {}
    for key, label in SORT_LABELS.items():
        active = current.removeprefix("-") == key
        descending = active and current.startswith("-")
        out[key] = {
            "label": label,
            "param": key if not active or descending else f"-{key}",
            "active": active,
            "descending": descending,
        }
    return out


@login_required
@require_safe
def organisation_list(request: HttpRequest) -> HttpResponse:
    form = OrganisationFilterForm(request.GET, user=request.user)
    filters = form.filters()
    qs = organisation_list_queryset(request.user, filters)
    counts = organisation_counts(qs)
    paginator = Paginator(qs, settings.HOPTAC_PAGE_SIZE)
    # The grouped count already gave the total: spare the paginator its own COUNT(*).
    paginator.count = counts.total
    page = paginator.get_page(request.GET.get("page"))
    fragment = _is_fragment_request(request)
    context = {
        "form": form,
        "page": page,
        "organisations": page.object_list,
        "counts": counts,
        "sort": filters.sort,
        # The default order stays out of the URL.
        "sort_param": "" if filters.sort == DEFAULT_SORT else filters.sort,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "sort_headers": _sort_headers(filters.sort),
        "notices": form.notices(),
        "population_note": form.population_note(),
        "is_fragment": fragment,
        "can_write": access.can_write_registry(request.user),
    }
    template = "registry/_organisation_rows.html" if fragment else "registry/organisation_list.html"
    response = render(request, template, context)
    # The same URL answers a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_safe
def organisation_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Exactly the filtered list (every page) as XLSX or CSV."""
    if fmt not in EXPORT_TYPES:
        raise Http404
    form = OrganisationFilterForm(request.GET, user=request.user)
    qs = organisation_list_queryset(request.user, form.filters())
    today = timezone.localdate()
    rows = exports.organisation_rows(qs)
    if fmt == "xlsx":
        title = _("Collective economic organisations, exported on %(date)s") % {
            "date": today.strftime("%d/%m/%Y")
        }
        content = exports.write_xlsx(rows, title=title)
    else:
        content = exports.write_csv(rows)
    response = HttpResponse(content, content_type=EXPORT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, f"to-chuc-{today:%Y-%m-%d}.{fmt}")
    return response
