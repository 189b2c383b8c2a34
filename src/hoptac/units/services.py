"""Loading Vietnam's administrative units from `vietnam-provinces`, and resolving `--unit`."""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from hoptac.core.text import fold

from .models import LEGACY_END, REFORM_DATE, Unit, UnitSuccession


@dataclass(frozen=True)
class LoadReport:
    created: int
    updated: int
    successions_created: int
    successions_deleted: int


def _province_code(code: int) -> str:
    return f"{int(code):02d}"


def _district_code(code: int) -> str:
    return f"{int(code):03d}"


def _commune_code(code: int) -> str:
    return f"{int(code):05d}"


def _desired_units() -> list[dict]:
    """Every unit of both eras, parents before children, as field dicts keyed by (era, level, code)."""
    from vietnam_provinces import Province, Ward
    from vietnam_provinces.legacy.base import District as LDistrict
    from vietnam_provinces.legacy.base import Province as LProvince
    from vietnam_provinces.legacy.base import Ward as LWard

    cur, leg = Unit.Era.CURRENT, Unit.Era.LEGACY
    P, D, C = Unit.Level.PROVINCE, Unit.Level.DISTRICT, Unit.Level.COMMUNE
    rows: list[dict] = []

    def add(era, level, code, name, dtype, parent, path):
        rows.append(
            {
                "era": era,
                "level": level,
                "code": code,
                "name": name,
                "division_type": str(dtype),
                "parent": parent,
                "path": path,
                "name_folded": fold(name),
                "valid_from": REFORM_DATE if era == cur else None,
                "valid_to": None if era == cur else LEGACY_END,
            }
        )

    for p in sorted(Province.iter_all(), key=lambda p: int(p.code)):
        pc = _province_code(p.code)
        add(cur, P, pc, p.name, p.division_type, None, f"c{pc}/")
    for w in sorted(Ward.iter_all(), key=lambda w: int(w.code)):
        pc, wc = _province_code(w.province_code), _commune_code(w.code)
        add(cur, C, wc, w.name, w.division_type, (cur, P, pc), f"c{pc}/{wc}/")
    for p in sorted(LProvince.iter_all(), key=lambda p: int(p.code)):
        pc = _province_code(p.code)
        add(leg, P, pc, p.name, p.division_type, None, f"l{pc}/")
    district_path = {}
    for d in sorted(LDistrict.iter_all(), key=lambda d: int(d.code)):
        pc, dc = _province_code(d.province_code), _district_code(d.code)
        district_path[dc] = f"l{pc}/{dc}/"
        add(leg, D, dc, d.name, d.division_type, (leg, P, pc), district_path[dc])
    for w in sorted(LWard.iter_all(), key=lambda w: int(w.code)):
        dc, wc = _district_code(w.district_code), _commune_code(w.code)
        add(leg, C, wc, w.name, w.division_type, (leg, D, dc), f"{district_path[dc]}{wc}/")
    return rows


def _desired_successions() -> list[tuple[tuple, tuple, bool, int]]:
    from vietnam_provinces import _province_conversion_2025 as provinces
    from vietnam_provinces import _ward_conversion_2025 as wards

    cur, leg = Unit.Era.CURRENT, Unit.Era.LEGACY
    P, C = Unit.Level.PROVINCE, Unit.Level.COMMUNE
    out = []
    for old, entry in provinces.OLD_TO_NEW.items():
        for rank, new in enumerate(entry.new_provinces):
            out.append(((leg, P, _province_code(old)), (cur, P, _province_code(new.code)), False, rank))
    for old, entry in wards.OLD_TO_NEW.items():
        for rank, new in enumerate(entry.new_wards):
            out.append(
                (
                    (leg, C, _commune_code(old)),
                    (cur, C, _commune_code(new.code)),
                    entry.old_ward.is_partly_merged,
                    rank,
                )
            )
    return out


_UNIT_FIELDS = ("name", "division_type", "parent_id", "path", "name_folded", "valid_from", "valid_to")


@transaction.atomic
def units_load() -> LoadReport:
    """Create or update every unit and succession; a second run changes nothing and takes about a second."""
    existing = {
        (u.era, u.level, u.code): u
        for u in Unit.objects.only(
            "id", "era", "level", "code", *[f for f in _UNIT_FIELDS if f != "parent_id"], "parent_id"
        )
    }
    created = updated = 0
    # Parents come first in the desired list, so a level's ids exist before its children need them.
    for level in (Unit.Level.PROVINCE, Unit.Level.DISTRICT, Unit.Level.COMMUNE):
        to_create, to_update = [], []
        for row in _desired_units():
            if row["level"] != level:
                continue
            parent = existing[row["parent"]].pk if row["parent"] else None
            values = {**{k: row[k] for k in _UNIT_FIELDS if k != "parent_id"}, "parent_id": parent}
            key = (row["era"], row["level"], row["code"])
            unit = existing.get(key)
            if unit is None:
                to_create.append(Unit(era=row["era"], level=row["level"], code=row["code"], **values))
            elif any(getattr(unit, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(unit, k, v)
                to_update.append(unit)
        Unit.objects.bulk_create(to_create, batch_size=2000)
        if to_update:
            Unit.objects.bulk_update(to_update, [*_UNIT_FIELDS], batch_size=2000)
        created += len(to_create)
        updated += len(to_update)
        if to_create:
            existing.update(
                {
                    (u.era, u.level, u.code): u
                    for u in Unit.objects.filter(level=level).only(
                        "id",
                        "era",
                        "level",
                        "code",
                        *[f for f in _UNIT_FIELDS if f != "parent_id"],
                        "parent_id",
                    )
                }
            )

    wanted = {}
    for pred, succ, partial, rank in _desired_successions():
        if pred in existing and succ in existing:
            wanted[(existing[pred].pk, existing[succ].pk)] = (partial, rank)
    have = {(s.predecessor_id, s.successor_id): s for s in UnitSuccession.objects.all()}
    stale = [s.pk for key, s in have.items() if key not in wanted or (s.partial, s.rank) != wanted[key]]
    UnitSuccession.objects.filter(pk__in=stale).delete()
    fresh = [
        UnitSuccession(predecessor_id=p, successor_id=s, partial=partial, rank=rank, effective_on=REFORM_DATE)
        for (p, s), (partial, rank) in wanted.items()
        if (p, s) not in have or have[(p, s)].pk in stale
    ]
    UnitSuccession.objects.bulk_create(fresh, batch_size=2000)
    return LoadReport(created, updated, len(fresh), len(stale))


class UnitLookupError(ValueError):
    """`--unit` matched nothing, or several units (then `candidates` lists them, best first)."""

    def __init__(self, message: str, candidates: list[Unit] | None = None):
        super().__init__(message)
        self.candidates = candidates or []


# Level words accepted before the colon of a key, in English and in Vietnamese (folded).
_LEVEL_WORDS = {
    "province": Unit.Level.PROVINCE,
    "tinh": Unit.Level.PROVINCE,
    "district": Unit.Level.DISTRICT,
    "huyen": Unit.Level.DISTRICT,
    "commune": Unit.Level.COMMUNE,
    "ward": Unit.Level.COMMUNE,
    "xa": Unit.Level.COMMUNE,
    "phuong": Unit.Level.COMMUNE,
}
_ERA_WORDS = {"legacy": Unit.Era.LEGACY, "current": Unit.Era.CURRENT}
_PAD = {Unit.Level.PROVINCE: 2, Unit.Level.DISTRICT: 3, Unit.Level.COMMUNE: 5}
_LEVEL_RANK = {Unit.Level.PROVINCE: 0, Unit.Level.DISTRICT: 1, Unit.Level.COMMUNE: 2}

# The division types that open every unit's name (folded), longest first so "thi xa" wins over "xa".
_TYPE_WORDS = ("thanh pho", "thi tran", "thi xa", "dac khu", "phuong", "huyen", "tinh", "quan", "xa")

# `legacy-district:110`, `commune : 3595`, `current commune:03595` (already folded).
_KEY = re.compile(r"^(?:(?P<era>legacy|current)[-_ ]?)?(?P<level>[a-z]+)\s*:\s*(?P<rest>.+)$")
# What the units datalist offers: "Xã Than Uyên (commune:03595)".
_TRAILING_KEY = re.compile(r"\(([^()]*:[^()]*)\)\s*$")

MATCH_FULL_NAME, MATCH_NAME, MATCH_WORDS = 0, 1, 2


def _exact_names(target: str) -> list[str]:
    """The folded full names that `target` names exactly: itself, or itself after a type word."""
    return [target, *(f"{word} {target}" for word in _TYPE_WORDS)]


def search_units(
    text: str,
    *,
    queryset: QuerySet[Unit] | None = None,
    level: str | None = None,
    era: str | None = None,
    limit: int | None = None,
) -> list[Unit]:
    """Units whose name has a word beginning with each word of `text`, accents and case ignored.

    "than uyen" finds Huyện Than Uyên, Thị trấn Than Uyên and Xã Than Uyên. The order, computed
    by the database so that `limit` is cheap: the unit whose full name is `text` ("Huyện Than
    Uyên"), then units whose name without its type word is `text` ("Than Uyên"), then the others;
    within each, current before legacy, province before district before commune, then by path.
    Each unit carries `match_rank` (MATCH_FULL_NAME, MATCH_NAME or MATCH_WORDS).
    """
    words = fold(text).split()
    if not words:
        return []
    qs = queryset if queryset is not None else Unit.objects.all()
    if level:
        qs = qs.filter(level=level)
    if era:
        qs = qs.filter(era=era)
    for word in words:
        # Each typed word begins a word of the name: "than" finds "Thanh", "uyen" does not find "Tuyên".
        qs = qs.filter(Q(name_folded__startswith=word) | Q(name_folded__contains=f" {word}"))
    target = " ".join(words)
    qs = (
        qs.select_related("parent__parent")
        .annotate(
            match_rank=Case(
                When(name_folded=target, then=Value(MATCH_FULL_NAME)),
                When(name_folded__in=_exact_names(target)[1:], then=Value(MATCH_NAME)),
                default=Value(MATCH_WORDS),
                output_field=IntegerField(),
            ),
            era_rank=Case(
                When(era=Unit.Era.CURRENT, then=Value(0)), default=Value(1), output_field=IntegerField()
            ),
            level_rank=Case(
                *[When(level=lv, then=Value(rank)) for lv, rank in _LEVEL_RANK.items()],
                output_field=IntegerField(),
            ),
        )
        .order_by("match_rank", "era_rank", "level_rank", "path")
    )
    return list(qs[:limit] if limit else qs)


def resolve_unit(text: str, *, queryset: QuerySet[Unit] | None = None) -> Unit:
    """Resolve what a user typed for a unit (the `--unit` option, a unit field of a form).

    Accepted forms, tried in this order:

    - a key `LEVEL:CODE`, as `Unit.key` prints it: `district:110`, `commune:03595`, `commune:3595`
      (codes are zero-padded), `province:12`, `legacy-commune:03595`, `current-province:12`. The
      level may be written in Vietnamese (`tinh`, `huyen`, `xa`, `phuong`). Without an era, a
      district is legacy (districts ended with the reform) and a province or a commune is the
      current unit with that code, or the legacy one when no current unit has it (`province:62`
      is the former Kon Tum). `LEVEL:NAME` (`district:Than Uyên`) looks for the name at that level.
    - a number alone: a province code, with the same fall-back (`12` is the current Lai Châu).
    - "Name (key)", as the units datalist offers it: the key decides.
    - a name, accent- and case-insensitive, optionally followed by the names of units above it
      after commas ("Xã Tân Lập, Phú Thọ"). The matches are ranked (see `search_units`) and the
      best tier decides: the units whose full name is the text ("Huyện Than Uyên"), else those
      whose name without its type word is the text ("Than Uyên"), else those whose name merely
      has words beginning with the words typed. One unit in the best tier resolves.

      Within that tier, a legacy unit whose successor is also in the tier, at the same level and
      with the same name, gives way to it: it is the same place continuing across the reform
      (legacy Tỉnh Lai Châu became the current Tỉnh Lai Châu), legacy figures are read into
      current units through the successions anyway, and the legacy unit stays one key away
      (`legacy-province:12`). So "Tỉnh Lai Châu" resolves to the current province. Nothing else is
      preferred by era or level, because that would guess between different places: "Lai Châu"
      alone stays ambiguous (the current province and the former city Thành phố Lai Châu, a
      district), as does "Than Uyên" (a former district, a former town, a current commune).

    Raises UnitLookupError when nothing matches, or when several units do (with `candidates`:
    the best tier, best first).
    """
    raw = unicodedata.normalize("NFC", (text or "").strip())
    qs = queryset if queryset is not None else Unit.objects.all()
    if not raw:
        raise UnitLookupError(_("No unit given."))
    trailing = _TRAILING_KEY.search(raw)
    if trailing and _KEY.match(fold(trailing.group(1))):
        return resolve_unit(trailing.group(1), queryset=qs)

    key = _KEY.match(fold(raw))
    if key:
        level = _LEVEL_WORDS.get(key["level"])
        if level is None:
            raise UnitLookupError(
                _("Unknown level “%(level)s” in “%(text)s”: use province, district or commune.")
                % {"level": key["level"], "text": raw}
            )
        era = _ERA_WORDS.get(key["era"] or "")
        if level == Unit.Level.DISTRICT:
            if era == Unit.Era.CURRENT:
                raise UnitLookupError(
                    _("Districts exist only before 01/07/2025: write legacy-district or district.")
                )
            era = Unit.Era.LEGACY
        rest = key["rest"].strip()
        if rest.isdigit():
            return _resolve_code(qs, era=era, level=level, code=rest)
        # The name after the colon keeps its accents for messages; search folds it anyway.
        name = raw.partition(":")[2].strip()
        scoped = qs.filter(level=level, **({"era": era} if era else {}))
        return _resolve_name(scoped, name)

    if raw.isdigit():
        return _resolve_code(qs, era=None, level=Unit.Level.PROVINCE, code=raw)
    return _resolve_name(qs, raw)


def _resolve_code(qs: QuerySet[Unit], *, era: str | None, level: str, code: str) -> Unit:
    padded = code.zfill(_PAD[level])
    eras = [era] if era else [Unit.Era.CURRENT, Unit.Era.LEGACY]
    by_era = {u.era: u for u in qs.filter(level=level, code=padded, era__in=eras).select_related("parent")}
    for candidate_era in eras:
        if candidate_era in by_era:
            return by_era[candidate_era]
    messages = {
        Unit.Level.PROVINCE: _("No province has the code %(code)s."),
        Unit.Level.DISTRICT: _("No district has the code %(code)s."),
        Unit.Level.COMMUNE: _("No commune has the code %(code)s."),
    }
    raise UnitLookupError(messages[level] % {"code": padded})


def _contains_words(name_folded: str, text: str) -> bool:
    """The Python twin of search_units' filter."""
    name_words = name_folded.split()
    return all(any(w.startswith(word) for w in name_words) for word in fold(text).split())


def _resolve_name(qs: QuerySet[Unit], raw: str) -> Unit:
    name, *above = [part.strip() for part in raw.split(",")]
    found = search_units(name, queryset=qs)
    if above:
        # select_related("parent__parent") in search_units: every ancestor is already loaded.
        found = [
            u
            for u in found
            if all(
                any(
                    _contains_words(a.name_folded, part)
                    for a in (u.parent, u.parent and u.parent.parent)
                    if a
                )
                for part in above
            )
        ]
    if not found:
        raise UnitLookupError(_("No unit matches “%(text)s”.") % {"text": raw})
    tier = [u for u in found if u.match_rank == found[0].match_rank]
    if len(tier) == 1:
        return tier[0]
    remaining = _without_continued_legacy(tier)
    if len(remaining) == 1:
        return remaining[0]
    raise UnitLookupError(
        _("“%(text)s” matches %(count)d units; give one of their keys.") % {"text": raw, "count": len(tier)},
        candidates=tier,
    )


def _without_continued_legacy(units: list[Unit]) -> list[Unit]:
    """Drop each legacy unit whose successor is among `units` with the same level and name."""
    current = {u.pk: u for u in units if not u.is_legacy}
    legacy = {u.pk: u for u in units if u.is_legacy}
    if not current or not legacy:
        return units
    continued = set()
    for pred_id, succ_id in UnitSuccession.objects.filter(
        predecessor_id__in=legacy, successor_id__in=current
    ).values_list("predecessor_id", "successor_id"):
        pred, succ = legacy[pred_id], current[succ_id]
        if pred.level == succ.level and pred.name_folded == succ.name_folded:
            continued.add(pred_id)
    return [u for u in units if u.pk not in continued]


def unit_stats() -> dict[str, Any]:
    """Counts by era and level, and the number of successions, with plain-string keys:

    {"current": {"province": 34, "commune": 3321},
     "legacy": {"province": 63, "district": 696, "commune": 10051}, "successions": 10618}
    """
    counts = {
        (str(row["era"]), str(row["level"])): row["n"]
        for row in Unit.objects.values("era", "level").annotate(n=Count("id")).order_by()
    }
    out: dict[str, Any] = {}
    for era in Unit.Era.values:
        out[era] = {level: counts[(era, level)] for level in _LEVEL_RANK if (era, level) in counts}
    out["successions"] = UnitSuccession.objects.count()
    return out


def unit_successions(unit: Unit) -> tuple[list[UnitSuccession], list[UnitSuccession]]:
    """(what `unit` became, what it came from), each with the other side and its parents loaded."""
    successors = list(
        UnitSuccession.objects.filter(predecessor=unit)
        .select_related("successor__parent__parent")
        .order_by("rank", "successor__path")
    )
    predecessors = list(
        UnitSuccession.objects.filter(successor=unit)
        .select_related("predecessor__parent__parent")
        .order_by("partial", "predecessor__path")
    )
    return successors, predecessors


def current_successor(unit: Unit) -> Unit | None:
    """The current unit a legacy one became (the main successor of a split); the unit itself if current."""
    if not unit.is_legacy:
        return unit
    succ = (
        UnitSuccession.objects.filter(predecessor=unit).select_related("successor").order_by("rank").first()
    )
    return succ.successor if succ else None


def legacy_predecessor(unit: Unit) -> Unit | None:
    """The legacy commune a current one mostly came from: a wholly merged one first, then by code."""
    if unit.is_legacy:
        return unit
    succ = (
        UnitSuccession.objects.filter(successor=unit, predecessor__level=unit.level)
        .select_related("predecessor__parent")
        .order_by("partial", "rank", "predecessor__code")
        .first()
    )
    return succ.predecessor if succ else None


def units_under(unit: Unit) -> Q:
    """A Q on Unit selecting `unit` and everything below it."""
    return Q(path__startswith=unit.path)


def today() -> datetime.date:
    from django.utils import timezone

    return timezone.localdate()
