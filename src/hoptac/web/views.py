"""The dashboard: the province overview, a unit's page, criterion 13, the choropleth map.

Thin views: the area comes from `queries.area_for_user` (accounts.access: out of scope or missing is
404), the figures from `queries`; every page costs a fixed number of queries whatever the number of
units (tests/web/test_queries_count.py).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_safe

from hoptac.indicators.models import Indicator

from . import queries
from .queries import area_for_user, parse_year

MAP_DEFAULT_INDICATOR = "htx-active"


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard for those who read figures; the registry for the others (and the login page)."""
    if not request.user.is_authenticated:
        # Back here after logging in, so that an officer lands on the dashboard.
        return redirect_to_login(request.get_full_path())
    if queries.can_view(request.user):
        return redirect("web:overview")
    return redirect("registry:organisation-list")


def _area_and_year(request: HttpRequest, unit_text: str | None = None):
    if not queries.can_view(request.user):
        raise Http404
    unit = area_for_user(request.user, unit_text if unit_text is not None else request.GET.get("unit"))
    text = request.GET.get("year")
    year = parse_year(text, 0) if text else queries.default_year(unit)
    return unit, year


def _plans(request: HttpRequest, unit):
    """The plans covering the unit, or the one asked for (404 when it does not cover the unit)."""
    plans = queries.covering_plans(unit)
    slug = request.GET.get("plan")
    if slug:
        plans = [p for p in plans if p.slug == slug]
        if not plans:
            raise Http404
    return plans


def _common(request: HttpRequest, unit, year) -> dict:
    return {
        "unit": unit,
        "year": year,
        "years": queries.year_choices(year),
        "unit_page_url": reverse("web:unit", kwargs={"unit": unit.key}) + f"?year={year}",
        "overview_url": reverse("web:overview") + f"?unit={unit.key}&year={year}",
        "map_url": reverse("web:map") + f"?unit={unit.key}&year={year}",
        "criterion_url": reverse("web:communes-without-htx") + f"?unit={unit.key}&year={year}",
        "can_pick_area": request.user.is_admin_role or unit.level != "commune",
    }


@login_required
@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    """The targets of the plans covering the area as cards, the organisations by kind, sector and
    status, and those founded and ended per year."""
    unit, year = _area_and_year(request)
    plans = _plans(request, unit)
    version = queries.data_version(unit)
    selected_plan = request.GET.get("plan", "")
    held = queries.held_targets(unit, plans, request.user)

    def targets_html() -> str:
        cards = queries.target_cards(unit, year, user=request.user, version=version, held=held)
        context = {
            "unit": unit,
            "year": year,
            "selected_plan": selected_plan,
            "by_plan": [(plan, [c for c in cards if c.target.plan_id == plan.pk]) for plan in plans],
            "status_counts": queries.status_counts(cards),
            "progress_api": reverse("api:progress"),
        }
        return render_to_string("web/_targets.html", context, request=request)

    # Sixty cards are most of the work: the HTML is kept with the figures it shows (data version).
    targets_html = queries.cached(
        "targets-html", (unit.pk, year, selected_plan, held.key), version, targets_html
    )
    flows = queries.cached("flows", (unit.pk, year), version, lambda: queries.organisation_flows(unit, year))
    chart = flows.chart()
    counts = queries.cached(
        "counts", (unit.pk, year), version, lambda: queries.organisation_counts(unit, year)
    )
    labels = queries.BREAKDOWN_LABELS
    context = {
        **_common(request, unit, year),
        "plans": plans,
        "all_plans": queries.covering_plans(unit) if selected_plan else plans,
        "selected_plan": selected_plan,
        "targets_html": targets_html,
        "counts": counts,
        "count_tables": [
            (labels["kind"], counts.by_kind, "counts-kind"),
            (labels["sector"], counts.by_sector, "counts-sector"),
            (labels["status"], counts.by_status, "counts-status"),
        ],
        "flows_chart": chart,
        "flow_rows": [
            {"year": y, "cells": [(ds["data"][i], ds["links"][i]) for ds in chart["datasets"]]}
            for i, y in enumerate(chart["years"])
        ],
    }
    return render(request, "web/overview.html", context)


@login_required
@require_safe
def unit_page(request: HttpRequest, unit: str) -> HttpResponse:
    """Any unit in scope, current or legacy: its indicators, its breakdowns, its communes compared."""
    area, year = _area_and_year(request, unit)
    from hoptac.indicators.queries import breakdown

    version = queries.data_version(area)
    asked_sort = request.GET.get("sort", "")

    def figures_html() -> str:
        rows, columns, communes, sort = queries.unit_figures(area, year, sort=asked_sort)
        breakdowns = [
            (by, label, breakdown(area, year, by=by)) for by, label in queries.BREAKDOWN_LABELS.items()
        ]
        context = {
            "unit": area,
            "year": year,
            "rows": rows,
            "groups": queries.group_rows(rows),
            "columns": columns,
            "communes": communes,
            "sort": sort,
            "breakdowns": [
                (by, label, b, queries.breakdown_links(area, year, by, b)) for by, label, b in breakdowns
            ],
        }
        return render_to_string("web/_unit_figures.html", context, request=request)

    # Seventy indicators and every commune's key figures: kept, rendered, with the data version.
    context = {
        **_common(request, area, year),
        "figures_html": queries.cached("unit-html", (area.pk, year, asked_sort), version, figures_html),
        "sort": asked_sort,
        "trend_api": reverse("api:indicators")
        + f"?unit={area.key}&from={year - 9}&to={year}&codes={','.join(queries.TREND_CODES)}",
    }
    return render(request, "web/unit.html", context)


@login_required
@require_safe
def communes_without_htx(request: HttpRequest) -> HttpResponse:
    """Criterion 13 of new rural development: communes with no operating cooperative on 31/12, and
    those whose operating cooperatives are all classified weak in their approved return."""
    unit, year = _area_and_year(request)
    coverage, communes = queries.cached(
        "coverage", (unit.pk, year), queries.data_version(unit), lambda: queries.commune_coverage(unit, year)
    )
    context = {
        **_common(request, unit, year),
        "coverage": coverage,
        "without": [c for c in coverage if c.active == 0],
        "only_weak": [c for c in coverage if c.only_weak],
        "unknown": [c for c in coverage if c.active and c.classified < c.active and c.weak == c.classified],
        "total": len(communes),
        "legacy_communes": bool(communes) and communes[0].is_legacy,
    }
    return render(request, "web/communes_without_htx.html", context)


def _map_request(request: HttpRequest):
    unit, year = _area_and_year(request)
    code = request.GET.get("indicator") or MAP_DEFAULT_INDICATOR
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None:
        raise Http404
    layers = queries.layers_for(unit)
    layer = layers[0] if layers else None
    wanted = request.GET.get("layer")
    if wanted:
        layer = next((x for x in layers if str(x.pk) == wanted), None)
        if layer is None:
            raise Http404
    return unit, year, indicator, layers, layer


@login_required
@require_safe
def map_page(request: HttpRequest) -> HttpResponse:
    """A choropleth of any indicator by commune, from a GeoJSON an administrator uploaded."""
    unit, year, indicator, layers, layer = _map_request(request)
    data_url = None
    if layer is not None:
        data_url = reverse("web:map-data") + "?" + request.GET.urlencode()
    context = {
        **_common(request, unit, year),
        "indicator": indicator,
        "indicators": Indicator.objects.all(),
        "layers": layers,
        "layer": layer,
        "data_url": data_url,
    }
    return render(request, "web/map.html", context)


@login_required
@require_safe
def map_data(request: HttpRequest) -> HttpResponse:
    """The map's GeoJSON: the layer's communes in scope with the indicator's values."""
    unit, year, indicator, _layers, layer = _map_request(request)
    if layer is None:
        raise Http404
    data = queries.map_values(layer, unit, request.user, indicator, year)
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
