"""Loading Vietnam's administrative units from `vietnam-provinces`, and resolving `--unit`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
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
    """`--unit` matched nothing, or several units (then `candidates` lists them)."""

    def __init__(self, message: str, candidates: list[Unit] | None = None):
        super().__init__(message)
        self.candidates = candidates or []


_LEVEL_WORDS = {
    "province": Unit.Level.PROVINCE,
    "tinh": Unit.Level.PROVINCE,
    "district": Unit.Level.DISTRICT,
    "huyen": Unit.Level.DISTRICT,
    "commune": Unit.Level.COMMUNE,
    "ward": Unit.Level.COMMUNE,
    "xa": Unit.Level.COMMUNE,
}
_PAD = {Unit.Level.PROVINCE: 2, Unit.Level.DISTRICT: 3, Unit.Level.COMMUNE: 5}


def search_units(
    text: str, *, queryset: QuerySet[Unit] | None = None, limit: int | None = None
) -> list[Unit]:
    """Units whose folded name contains every word of `text` ("than uyen" → Huyện/Thị trấn/Xã Than Uyên).

    Exact folded names come first, then current before legacy, then by level.
    """
    words = fold(text).split()
    qs = (queryset if queryset is not None else Unit.objects.all()).select_related("parent__parent")
    if not words:
        return []
    for word in words:
        qs = qs.filter(name_folded__contains=word)
    level_rank = {Unit.Level.PROVINCE: 0, Unit.Level.DISTRICT: 1, Unit.Level.COMMUNE: 2}
    target = " ".join(words)
    found = sorted(
        qs,
        key=lambda u: (
            not _name_matches_exactly(u.name_folded, target),
            u.is_legacy,
            level_rank[u.level],
            u.path,
        ),
    )
    return found[:limit] if limit else found


_TYPE_WORDS = ("thanh pho", "thi tran", "thi xa", "dac khu", "tinh", "huyen", "quan", "xa", "phuong")


def _name_matches_exactly(name_folded: str, target: str) -> bool:
    if name_folded == target:
        return True
    for word in _TYPE_WORDS:
        if name_folded.startswith(word + " ") and name_folded[len(word) + 1 :] == target:
            return True
    return False


def resolve_unit(text: str, *, queryset: QuerySet[Unit] | None = None) -> Unit:
    """Resolve what a user typed for a unit.

    Accepts `district:110`, `legacy-commune:03595`, `commune:3595` (current era unless the level
    exists only in the legacy era), a province code alone (`12`: the current province), or a name
    that matches exactly one unit, or one unit better than all others (an exact name). Raises
    UnitLookupError with the candidates when the name is ambiguous.
    """
    raw = (text or "").strip()
    qs = queryset if queryset is not None else Unit.objects.all()
    if not raw:
        raise UnitLookupError(_("No unit given."))
    head, sep, tail = raw.partition(":")
    if (
        sep
        and fold(head).replace(" ", "-").removeprefix("legacy-") in _LEVEL_WORDS
        and tail.strip().isdigit()
    ):
        folded_head = fold(head).replace(" ", "-")
        legacy = folded_head.startswith("legacy-")
        level = _LEVEL_WORDS[folded_head.removeprefix("legacy-")]
        code = tail.strip().zfill(_PAD[level])
        era = Unit.Era.LEGACY if legacy or level == Unit.Level.DISTRICT else Unit.Era.CURRENT
        unit = qs.filter(era=era, level=level, code=code).first()
        if unit is None:
            raise UnitLookupError(
                _("No unit with code %(code)s at level %(level)s.") % {"code": code, "level": level}
            )
        return unit
    if raw.isdigit():
        code = raw.zfill(2)
        unit = (
            qs.filter(era=Unit.Era.CURRENT, level=Unit.Level.PROVINCE, code=code).first()
            or qs.filter(era=Unit.Era.LEGACY, level=Unit.Level.PROVINCE, code=code).first()
        )
        if unit is None:
            raise UnitLookupError(_("No province with code %(code)s.") % {"code": code})
        return unit
    found = search_units(raw, queryset=qs)
    if not found:
        raise UnitLookupError(_("No unit matches “%(text)s”.") % {"text": raw})
    exact = [u for u in found if _name_matches_exactly(u.name_folded, fold(raw))]
    if len(found) == 1:
        return found[0]
    if len(exact) == 1 and fold(raw) == exact[0].name_folded:
        return exact[0]
    raise UnitLookupError(
        _("“%(text)s” matches %(count)d units; give one of their codes.")
        % {"text": raw, "count": len(found)},
        candidates=found,
    )


def unit_stats() -> dict:
    """Counts by era and level: {"current": {"province": 34, "commune": 3321}, "legacy": {...}}."""
    from django.db.models import Count

    out: dict[str, dict[str, int]] = {Unit.Era.CURRENT: {}, Unit.Era.LEGACY: {}}
    for row in Unit.objects.values("era", "level").annotate(n=Count("id")).order_by("era", "level"):
        out[row["era"]][row["level"]] = row["n"]
    out["successions"] = {"total": UnitSuccession.objects.count()}
    return out


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
