"""The dashboard's JSON: indicator values and target progress, scoped like every page.

    GET /api/indicators/?unit=legacy-district:110&year=2023[&codes=htx-existing,htx-active]
    GET /api/indicators/?unit=province:12&from=2020&to=2025
    GET /api/progress/?unit=province:12[&plan=lai-chau-ktt-2021-2030][&year=2025]

`unit` is a unit key (`legacy-district:110`, as `hoptac indicators --unit` takes it), an id or a name;
without it, the user's own area. `values` of /api/indicators/ are exactly the records of
`hoptac indicators --format json`; `targets` of /api/progress/ those of `hoptac progress --format json`
with the dashboard's extras (series for the sparklines, status label, scope, organisations' list).

Anonymous: 401. A unit out of the user's scope, or a plan that does not cover the unit: 404, as for a
missing one. Bad parameters: 400 with a message naming the parameter.
"""

from __future__ import annotations

from functools import wraps

from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from hoptac.indicators.cli import json_number
from hoptac.indicators.models import Indicator

from . import queries

MAX_YEARS = 30


class BadRequest(Exception):
    pass


def _json(data, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def json_view(view):
    """401 for anonymous users, 404 as JSON, 400 for bad parameters."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return _json({"error": _("Log in to read the figures.")}, status=401)
        try:
            if not queries.can_view(request.user):
                raise Http404
            return view(request, *args, **kwargs)
        except BadRequest as err:
            return _json({"error": str(err)}, status=400)
        except Http404:
            return _json({"error": _("Not found.")}, status=404)

    return require_safe(wrapper)


def _year(request: HttpRequest, name: str) -> int | None:
    text = request.GET.get(name)
    if not text:
        return None
    try:
        year = int(text)
    except ValueError:
        raise BadRequest(_("“%(name)s” must be a year such as 2024.") % {"name": name}) from None
    if not queries.FIRST_YEAR <= year <= queries.LAST_YEAR:
        raise BadRequest(
            _("“%(name)s” must be a year between %(first)s and %(last)s.")
            % {"name": name, "first": queries.FIRST_YEAR, "last": queries.LAST_YEAR}
        )
    return year


def _unit_dict(unit) -> dict:
    return {"key": unit.key, "id": unit.pk, "name": unit.name, "level": unit.level, "era": unit.era}


@json_view
def indicators(request: HttpRequest) -> JsonResponse:
    unit = queries.area_for_user(request.user, request.GET.get("unit"))
    year, first, last = _year(request, "year"), _year(request, "from"), _year(request, "to")
    if year is not None and (first is not None or last is not None):
        raise BadRequest(_("Give either “year” or “from” and “to”, not both."))
    if year is None and first is None and last is None:
        year = queries.default_year(unit)
    if year is not None:
        years = [year]
    else:
        first = first if first is not None else last
        last = last if last is not None else first
        if first > last:
            raise BadRequest(_("“from” comes after “to”."))
        if last - first + 1 > MAX_YEARS:
            raise BadRequest(_("At most %(n)s years at a time.") % {"n": MAX_YEARS})
        years = list(range(first, last + 1))
    codes = [c.strip() for c in request.GET.get("codes", "").split(",") if c.strip()]
    qs = Indicator.objects.all()
    if codes:
        found = {i.code: i for i in qs.filter(code__in=codes)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise BadRequest(_("Unknown indicator code(s): %(codes)s.") % {"codes": ", ".join(unknown)})
        definitions = [found[c] for c in dict.fromkeys(codes)]
    else:
        definitions = list(qs)
    values = queries.compute_cached(definitions, [unit], years, queries.data_version(unit))
    records = []
    for d in definitions:
        for y in years:
            v = values[(d.code, unit.id, y)]
            records.append(
                {
                    "code": d.code,
                    "name": d.name,
                    "unit": d.unit,
                    "year": y,
                    "value": json_number(v.value),
                    "numerator": json_number(v.numerator),
                    "denominator": json_number(v.denominator),
                    "no_data": v.no_data,
                }
            )
    return _json({"unit": _unit_dict(unit), "years": years, "values": records})


@json_view
def progress(request: HttpRequest) -> JsonResponse:
    unit = queries.area_for_user(request.user, request.GET.get("unit"))
    year = _year(request, "year") or queries.default_year(unit)
    plans = queries.covering_plans(unit)
    slug = request.GET.get("plan")
    if slug:
        plans = [p for p in plans if p.slug == slug]
        if not plans:
            raise Http404
    version = queries.data_version(unit)
    held = queries.held_targets(unit, plans, request.user)
    targets = queries.cached(
        "progress-json",
        (unit.pk, year, held.key),
        version,
        lambda: [
            c.as_dict()
            for c in queries.target_cards(unit, year, user=request.user, version=version, held=held)
        ],
    )
    return _json(
        {
            "unit": _unit_dict(unit),
            "as_of": year,
            "plans": [
                {"slug": p.slug, "number": p.number, "title": p.title, "area": p.area.key} for p in plans
            ],
            "targets": targets,
        }
    )
