"""Communes, districts and provinces named in a file, resolved in memory for a whole import.

All units (about 14,000) and their successions are loaded once, so that resolving 100,000 rows costs
no query per row; results are memoised by the names a row gives, since a file names few places.

The rules, in order:

- a name matches a unit whose full name it is ("Thị trấn Than Uyên"), else a unit whose name
  without its type word it is ("Than Uyên"); "TT.", "P.", "X.", "H.", "TP", "TX" stand for their
  type words, and "Phường 01" is "Phường 1";
- the district and province columns, and the area the user gives (`--unit`), narrow the candidates:
  a unit qualifies when it, one of its successors or one of its predecessors lies under them (a
  current commune "is in" the former district its communes came from);
- the user's scope: candidates outside the units the user may see are dropped; if nothing is left,
  the row is refused as outside the user's area;
- the era: an organisation founded (or ended) before 01/07/2025 prefers the legacy unit of that name,
  a later one takes the current unit, and may not be placed in a unit abolished before it was
  founded. So "Huyện Than Uyên" with "Thị trấn Than Uyên" is the former town, and "Xã Mường Than"
  founded in 2018 is the former commune 03619 while founded in 2026 it is the current 03618.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max
from django.utils.translation import gettext as _

from hoptac.units.models import LEGACY_END, Unit, UnitSuccession

from .values import norm

COMMUNE, DISTRICT, PROVINCE = Unit.Level.COMMUNE, Unit.Level.DISTRICT, Unit.Level.PROVINCE
CURRENT, LEGACY = Unit.Era.CURRENT, Unit.Era.LEGACY

_TYPE_WORDS = (
    "thanh pho trung uong",
    "thanh pho",
    "thi tran",
    "thi xa",
    "dac khu",
    "phuong",
    "huyen",
    "tinh",
    "quan",
    "xa",
)
_ABBREVIATIONS = {
    "tt": "thi tran",
    "tx": "thi xa",
    "tp": "thanh pho",
    "p": "phuong",
    "x": "xa",
    "h": "huyen",
    "q": "quan",
    "t": "tinh",
}
_COMMUNE_WORDS = ("thi tran", "phuong", "xa", "dac khu")
_DISTRICT_WORDS = ("huyen", "quan", "thi xa", "thanh pho")


def name_key(text: Any) -> str:
    """Normalised unit name: folded, no punctuation, abbreviations expanded, numbers unpadded."""
    words = norm(text).split()
    if not words:
        return ""
    if words[0] in _ABBREVIATIONS and len(words) > 1:
        words[0:1] = _ABBREVIATIONS[words[0]].split()
    return " ".join(str(int(w)) if w.isdigit() else w for w in words)


_WORD = re.compile(r"[^\w]+")
_ACCENTED_ABBREVIATIONS = {
    "tt": "thị trấn",
    "tx": "thị xã",
    "tp": "thành phố",
    "p": "phường",
    "x": "xã",
    "h": "huyện",
    "q": "quận",
    "t": "tỉnh",
}
_ACCENTED_TYPES = (
    "thành phố trung ương",
    "thành phố",
    "thị trấn",
    "thị xã",
    "đặc khu",
    "phường",
    "huyện",
    "tỉnh",
    "quận",
    "xã",
)


def accent_key(text: Any) -> str:
    """Like name_key, keeping the accents: "Xã Phù Đổng" and "Xã Phú Đông" stay apart."""
    words = _WORD.sub(" ", unicodedata.normalize("NFC", str(text)).lower()).split()
    if not words:
        return ""
    if words[0] in _ACCENTED_ABBREVIATIONS and len(words) > 1:
        words[0:1] = _ACCENTED_ABBREVIATIONS[words[0]].split()
    return " ".join(str(int(w)) if w.isdigit() else w for w in words)


def strip_accented_type(key: str) -> str:
    for word in _ACCENTED_TYPES:
        if key.startswith(word + " "):
            return key[len(word) + 1 :]
    return key


def strip_type(key: str) -> str:
    for word in _TYPE_WORDS:
        if key.startswith(word + " "):
            return key[len(word) + 1 :]
    return key


def type_word(key: str) -> str:
    for word in _TYPE_WORDS:
        if key.startswith(word + " "):
            return word
    return ""


@dataclass(frozen=True, slots=True)
class Place:
    id: int
    era: str
    level: str
    code: str
    name: str
    parent_id: int | None
    path: str

    @property
    def is_legacy(self) -> bool:
        return self.era == LEGACY


@dataclass(frozen=True)
class Location:
    """Where an organisation is: its unit, and the current and legacy communes with their paths."""

    unit_id: int
    current_commune_id: int | None
    legacy_commune_id: int | None
    current_path: str
    legacy_path: str


@dataclass(frozen=True)
class Placement:
    unit: Place
    # Every unit the row's names fit (both eras): an existing organisation in any of them stays put.
    acceptable: frozenset[int]


@dataclass(frozen=True)
class PlaceError:
    field: str  # the column to blame: commune, legacy_commune, district, province
    message: str


class UnitTables:
    """Every unit indexed by name, and the successions: the same for every import of a process."""

    def __init__(self) -> None:
        self.units: dict[int, Place] = {}
        self.full: dict[tuple[str, str], list[int]] = {}
        self.bare: dict[tuple[str, str], list[int]] = {}
        self.full_accented: dict[tuple[str, str], list[int]] = {}
        self.bare_accented: dict[tuple[str, str], list[int]] = {}
        for row in Unit.objects.values_list("id", "era", "level", "code", "name", "parent_id", "path"):
            place = Place(*row)
            self.units[place.id] = place
            key = name_key(place.name)
            self.full.setdefault((place.level, key), []).append(place.id)
            self.bare.setdefault((place.level, strip_type(key)), []).append(place.id)
            accented = accent_key(place.name)
            self.full_accented.setdefault((place.level, accented), []).append(place.id)
            self.bare_accented.setdefault((place.level, strip_accented_type(accented)), []).append(place.id)
        self.successors: dict[int, list[int]] = {}
        self.predecessors: dict[int, list[tuple[bool, int, str, int]]] = {}
        for pred, succ, partial, rank in UnitSuccession.objects.order_by(
            "predecessor_id", "rank"
        ).values_list("predecessor_id", "successor_id", "partial", "rank"):
            self.successors.setdefault(pred, []).append(succ)
            self.predecessors.setdefault(succ, []).append((partial, rank, self.units[pred].code, pred))
        for preds in self.predecessors.values():
            preds.sort()

    @staticmethod
    def fingerprint() -> tuple:
        units = Unit.objects.aggregate(n=Count("id"), top=Max("id"))
        successions = UnitSuccession.objects.aggregate(n=Count("id"), top=Max("id"))
        return (units["n"], units["top"], successions["n"], successions["top"])


_TABLES: tuple[tuple, UnitTables] | None = None


def unit_tables() -> UnitTables:
    """The tables, rebuilt only when units or successions were added or removed (two cheap queries)."""
    global _TABLES
    stamp = UnitTables.fingerprint()
    if _TABLES is None or _TABLES[0] != stamp:
        _TABLES = (stamp, UnitTables())
    return _TABLES[1]


class Places:
    """The unit tables seen by one import: the user's visible units, an optional area, a memo."""

    def __init__(self, *, visible: set[int] | None, area: Unit | None = None):
        tables = unit_tables()
        self.units = tables.units
        self._full = tables.full
        self._bare = tables.bare
        self._full_accented = tables.full_accented
        self._bare_accented = tables.bare_accented
        self.successors = tables.successors
        self.predecessors = tables.predecessors
        self.visible = visible
        self.area = self.units[area.pk] if area is not None else None
        self._memo: dict[tuple, Placement | PlaceError] = {}

    @classmethod
    def for_user(cls, user, *, area: Unit | None = None) -> Places:
        from hoptac.accounts import access

        if user is None or user.is_admin_role:
            visible = None
        else:
            visible = set(access.visible_units(user).values_list("id", flat=True))
        return cls(visible=visible, area=area)

    # --- location, as registry.services.resolve_location computes it -----------------------------

    def current_successor(self, unit_id: int) -> int | None:
        place = self.units[unit_id]
        if not place.is_legacy:
            return unit_id
        succ = self.successors.get(unit_id)
        return succ[0] if succ else None

    def legacy_predecessor(self, unit_id: int) -> int | None:
        place = self.units[unit_id]
        if place.is_legacy:
            return unit_id
        for _partial, _rank, _code, pred in self.predecessors.get(unit_id, ()):
            if self.units[pred].level == place.level:
                return pred
        return None

    def locate(self, unit_id: int) -> Location:
        """The same result as registry.services.resolve_location, from memory."""
        place = self.units[unit_id]
        if place.level != COMMUNE:
            current = self.current_successor(unit_id) if place.is_legacy else unit_id
            return Location(
                unit_id,
                None,
                None,
                self.units[current].path if current else "",
                place.path if place.is_legacy else "",
            )
        current = self.current_successor(unit_id)
        legacy = self.legacy_predecessor(unit_id)
        return Location(
            unit_id,
            current,
            legacy,
            self.units[current].path if current else "",
            self.units[legacy].path if legacy else "",
        )

    def label(self, unit_id: int) -> str:
        place = self.units[unit_id]
        names = [place.name]
        parent = place.parent_id
        while parent is not None:
            names.append(self.units[parent].name)
            parent = self.units[parent].parent_id
        return ", ".join(names)

    # --- names ------------------------------------------------------------------------------------

    def _tiers(self, text: str, level: str) -> list[list[int]]:
        key = name_key(text)
        if not key:
            return []
        accented = accent_key(text)
        tiers = []
        # The exact spelling first: folding accents away makes "Phù Đổng" and "Phú Đông" one name.
        if type_word(key):
            tiers.append(self._full_accented.get((level, accented), []))
            tiers.append(self._full.get((level, key), []))
        tiers.append(self._bare_accented.get((level, strip_accented_type(accented)), []))
        tiers.append(self._bare.get((level, strip_type(key)), []))
        return [t for t in tiers if t]

    def _related_paths(self, unit_id: int) -> list[str]:
        paths = [self.units[unit_id].path]
        paths += [self.units[s].path for s in self.successors.get(unit_id, ())]
        paths += [self.units[p].path for *_rest, p in self.predecessors.get(unit_id, ())]
        return paths

    def _within(self, unit_id: int, targets: list[Place]) -> bool:
        related = self._related_paths(unit_id)
        return any(path.startswith(t.path) for path in related for t in targets)

    def _provinces(self, text: str) -> list[Place] | PlaceError:
        tiers = self._tiers(text, PROVINCE)
        if not tiers:
            return PlaceError("province", _("Unknown province “%(name)s”.") % {"name": text})
        found = [self.units[i] for i in tiers[0]]
        # A province reaches the provinces it became or came from: Kon Tum is now part of Quảng Ngãi.
        related = {p.id for p in found}
        for p in found:
            related |= set(self.successors.get(p.id, ()))
            related |= {pred for *_r, pred in self.predecessors.get(p.id, ())}
        return [self.units[i] for i in related]

    def _districts(self, text: str, provinces: list[Place] | None) -> list[Place] | PlaceError:
        tiers = self._tiers(text, DISTRICT)
        for tier in tiers:
            found = [self.units[i] for i in tier]
            if provinces is not None:
                found = [d for d in found if self._within(d.id, provinces)]
            if found:
                return found
        if tiers:
            return PlaceError(
                "district", _("The district “%(name)s” is not in the province given.") % {"name": text}
            )
        return PlaceError("district", _("Unknown district “%(name)s”.") % {"name": text})

    def _candidates(
        self, text: str, level: str, *, era: str | None, districts, provinces, column: str
    ) -> list[int] | PlaceError:
        tiers = self._tiers(text, level)
        if era:
            tiers = [[i for i in t if self.units[i].era == era] for t in tiers]
            tiers = [t for t in tiers if t]
        outside = False
        for tier in tiers:
            found = tier
            if districts is not None:
                found = [i for i in found if self._within(i, districts)]
            if provinces is not None:
                found = [i for i in found if self._within(i, provinces)]
            if self.area is not None:
                found = [i for i in found if self._within(i, [self.area])]
            if not found:
                continue
            if self.visible is not None:
                seen = [i for i in found if i in self.visible]
                if not seen:
                    outside = True
                    continue
                found = seen
            return found
        if outside:
            return PlaceError(column, _("%(name)s is outside your area.") % {"name": text})
        if tiers:
            return PlaceError(
                column,
                _("No commune named “%(name)s” lies in the district or province given.") % {"name": text},
            )
        return PlaceError(column, _("Unknown commune or ward “%(name)s”.") % {"name": text})

    def _pick(self, ids: list[int], *, prefer_legacy: bool, forbid_legacy: bool, text: str, column: str):
        if forbid_legacy:
            current = [i for i in ids if not self.units[i].is_legacy]
            if not current:
                return PlaceError(
                    column,
                    _(
                        "%(unit)s ceased to exist on 30/06/2025, before the founding date: "
                        "choose the current commune or ward."
                    )
                    % {"unit": self.units[ids[0]].name},
                )
            ids = current
        else:
            legacy = [i for i in ids if self.units[i].is_legacy]
            current = [i for i in ids if not self.units[i].is_legacy]
            preferred, other = (legacy, current) if prefer_legacy else (current, legacy)
            # Two former communes of that name, one current one: the current one is the place meant.
            ids = other if len(preferred) > 1 and len(other) == 1 else (preferred or other)
        if len(ids) > 1:
            return PlaceError(
                column,
                _("“%(name)s” names several units (%(units)s): add the district or province column.")
                % {"name": text, "units": "; ".join(self.label(i) for i in ids[:3])},
            )
        return ids[0]

    def resolve(
        self,
        *,
        commune: str = "",
        legacy_commune: str = "",
        district: str = "",
        province: str = "",
        founded_on=None,
        ended_on=None,
    ) -> Placement | PlaceError:
        """The unit a row names, or the error to report (memoised on the names and the era rule)."""
        prefer_legacy = bool(
            (founded_on and founded_on <= LEGACY_END) or (ended_on and ended_on <= LEGACY_END)
        )
        forbid_legacy = bool(founded_on and founded_on > LEGACY_END)
        key = (commune, legacy_commune, district, province, prefer_legacy, forbid_legacy)
        if key not in self._memo:
            self._memo[key] = self._resolve(
                commune, legacy_commune, district, province, prefer_legacy, forbid_legacy
            )
        return self._memo[key]

    def _resolve(self, commune, legacy_commune, district, province, prefer_legacy, forbid_legacy):
        provinces = None
        if province:
            provinces = self._provinces(province)
            if isinstance(provinces, PlaceError):
                return provinces
        districts = None
        if district:
            districts = self._districts(district, provinces)
            if isinstance(districts, PlaceError):
                return districts
        acceptable: set[int] = set()
        legacy_id = None
        if legacy_commune:
            found = self._candidates(
                legacy_commune,
                COMMUNE,
                era=LEGACY,
                districts=districts,
                provinces=provinces,
                column="legacy_commune",
            )
            if isinstance(found, PlaceError):
                return found
            picked = self._pick(
                found, prefer_legacy=True, forbid_legacy=False, text=legacy_commune, column="legacy_commune"
            )
            if isinstance(picked, PlaceError):
                return picked
            legacy_id = picked
            acceptable.add(picked)
        if commune:
            found = self._candidates(
                commune, COMMUNE, era=None, districts=districts, provinces=provinces, column="commune"
            )
            if isinstance(found, PlaceError):
                return found
            acceptable |= set(found)
            if legacy_id is not None:
                # Both columns (the registry export): the former commune for the old records, else the current one.
                current = [i for i in found if not self.units[i].is_legacy]
                if prefer_legacy and not forbid_legacy:
                    return Placement(self.units[legacy_id], frozenset(acceptable))
                if not current:
                    return PlaceError("commune", _("Unknown commune or ward “%(name)s”.") % {"name": commune})
                if len(current) > 1:
                    picked = self._pick(
                        current, prefer_legacy=False, forbid_legacy=True, text=commune, column="commune"
                    )
                    if isinstance(picked, PlaceError):
                        return picked
                    return Placement(self.units[picked], frozenset(acceptable))
                return Placement(self.units[current[0]], frozenset(acceptable))
            picked = self._pick(
                found,
                prefer_legacy=prefer_legacy,
                forbid_legacy=forbid_legacy,
                text=commune,
                column="commune",
            )
            if isinstance(picked, PlaceError):
                return picked
            return Placement(self.units[picked], frozenset(acceptable))
        if legacy_id is not None:
            if forbid_legacy:
                return self._pick(
                    [legacy_id],
                    prefer_legacy=False,
                    forbid_legacy=True,
                    text=legacy_commune,
                    column="legacy_commune",
                )
            return Placement(self.units[legacy_id], frozenset(acceptable))
        if districts is not None:
            if len(districts) > 1:
                return PlaceError(
                    "district",
                    _("“%(name)s” names several units (%(units)s): add the district or province column.")
                    % {"name": district, "units": "; ".join(self.label(d.id) for d in districts[:3])},
                )
            only = districts[0]
            if self.visible is not None and only.id not in self.visible:
                return PlaceError("district", _("%(name)s is outside your area.") % {"name": district})
            return Placement(only, frozenset({only.id}))
        if self.area is not None and self.area.level == COMMUNE:
            return Placement(self.area, frozenset({self.area.id}))
        return PlaceError("commune", _("The commune or ward is missing."))

    # --- addresses --------------------------------------------------------------------------------

    def split_address(self, address: str, *, district: str = "", province: str = "") -> dict[str, str]:
        """The commune, district and province an address names.

        "Bản Nà Ban, xã Mường Cang, huyện Than Uyên, tỉnh Lai Châu" gives them by their type words.
        Without a type word ("Bản Nà Ban, Mường Cang, Than Uyên"), the commune is the rightmost part
        that names a commune (in the district given, if any) and names no district or province;
        failing that, any part that names a commune.
        """
        parts = [p.strip() for p in _split(address) if p.strip()]
        out: dict[str, str] = {}
        untyped = []
        for part in parts:
            key = name_key(part)
            word = type_word(key)
            if word in _COMMUNE_WORDS and "commune" not in out:
                out["commune"] = part
            elif word in _DISTRICT_WORDS and "district" not in out and (PROVINCE, key) not in self._full:
                out["district"] = part
            elif word in ("tinh", "thanh pho trung uong", "thanh pho") and "province" not in out:
                out["province"] = part
            elif not word:
                untyped.append(part)
        if "commune" in out or not untyped:
            return out
        districts = None
        hint = out.get("district") or district
        if hint:
            found = self._districts(hint, None)
            districts = found if isinstance(found, list) else None

        def names_commune(part: str) -> bool:
            for tier in self._tiers(part, COMMUNE):
                if districts is None or any(self._within(i, districts) for i in tier):
                    return True
            return False

        for strict in (True, False):
            for part in reversed(untyped):
                if strict and (self._tiers(part, DISTRICT) or self._tiers(part, PROVINCE)):
                    continue
                if names_commune(part):
                    out["commune"] = part
                    return out
        return out


def _split(address: str) -> list[str]:
    return re.split(r"[,;\n]| - | – ", address)


def scope_check(user, location: Location) -> bool:
    """Whether `user` may place an organisation there: access.organisation_scope_q, on paths in memory."""
    if user is None or user.is_admin_role:
        return True
    from hoptac.accounts import access

    if not access.can_write_registry(user):
        return False
    unit = access.user_scope_unit(user)
    if unit is None:
        return False
    path = location.legacy_path if unit.is_legacy else location.current_path
    return bool(path) and path.startswith(unit.path)
