"""The schemes as data: loading the shipped ones, making and activating versions, choosing by sector.

- `schemes_load()` (the data migration and `hoptac loadschemes`) creates or updates the shipped schemes
  from fixtures/schemes.json, by code: a shipped version that scored nothing is updated in place, one
  that scored sheets is left as it is and the file's content becomes a new version.
- `scheme_edit(scheme=…, actor=…, criteria={…})` applies changes as a NEW version (the previous one
  stays, with the sheets it scored), and activates it; `scheme_new_version` makes an inactive copy for
  an administrator to edit in the admin, `scheme_activate` makes a version the one new sheets use.
- `scheme_for(org, …)`: the province's choice for the organisation's sector if it made one, else the
  active scheme that fits the organisation's kind and sector (the higher priority, then the one that
  names sectors: the agricultural scheme before the general one).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils.translation import gettext as _

from hoptac.accounts.models import User
from hoptac.registry.models import Organisation, Sector

from .models import ClassThreshold, Criterion, Scheme, SchemeChoice, SchemeRule

FIXTURE = Path(__file__).parent / "fixtures" / "schemes.json"
CRITERION_FIELDS = (
    "title_vi", "title_en", "max_points", "rule", "expression", "precondition", "bands", "value_unit",
    "guidance_vi", "guidance_en", "confirmed", "source_note", "order",
)  # fmt: skip
SCHEME_FIELDS = ("name_vi", "name_en", "legal_basis", "kinds", "priority", "total_points", "source_note")


def ensure_can_edit_schemes(actor: User) -> None:
    if not (actor.is_authenticated and actor.is_active and actor.is_admin_role):
        raise PermissionDenied(_("Only a system administrator may change the classification schemes."))


# -- reading the fixture -----------------------------------------------------------------------------------


def load_fixture(path: Path = FIXTURE) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def _sources_text(refs: Any, sources: Mapping[str, Mapping[str, str]]) -> str:
    """ "S1, S3" or ["S1", "S3"] → one line per source: "S1 — title — url"; other text is kept as written."""
    if not refs:
        return ""
    items = refs if isinstance(refs, list) else [refs]
    lines = []
    for item in items:
        for token in str(item).split(";"):
            token = token.strip()
            ref = sources.get(token.split(":")[0].strip())
            if ref is not None:
                note = token.split(":", 1)[1].strip() if ":" in token else ""
                line = f"{token.split(':')[0].strip()} — {ref['title']} — {ref['url']}"
                lines.append(f"{line} ({note})" if note else line)
            elif token:
                lines.append(token)
    return "\n".join(lines)


def _digest(row: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(row, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def schemes_load(models: Any = None, data: Mapping[str, Any] | None = None) -> LoadReport:
    """Create or update the shipped schemes (see the module docstring). `models` gives the model classes
    (a migration passes its historical ones: `lambda name: apps.get_model("scoring", name)`)."""
    get = (
        models
        or {
            "Scheme": Scheme,
            "Criterion": Criterion,
            "ClassThreshold": ClassThreshold,
            "SchemeRule": SchemeRule,
            "Sector": Sector,
        }.__getitem__
    )
    data = data if data is not None else load_fixture()
    sources = data.get("sources", {})
    report = LoadReport()
    SchemeModel = get("Scheme")
    with transaction.atomic():
        for row in data["schemes"]:
            digest = _digest(row)
            versions = SchemeModel.objects.filter(code=row["code"])
            shipped = versions.filter(shipped=True).order_by("-version").first()
            if shipped is not None and shipped.fixture_digest == digest:
                report.unchanged += 1
                continue
            if shipped is not None and not shipped.sheets.exists():
                _fill_scheme(get, shipped, row, sources, digest)
                report.updated += 1
                continue
            active = versions.filter(active=True).first()
            # The file's content replaces the active version only if that version is the shipped one
            # (a province's own version stays in force).
            take_over = active is None or (shipped is not None and active.pk == shipped.pk)
            if take_over and active is not None:
                versions.filter(pk=active.pk).update(active=False)
            last = versions.aggregate(m=Max("version"))["m"] or 0
            scheme = SchemeModel(
                code=row["code"], version=last + 1, shipped=True, active=take_over, parent=shipped,
                name_vi=row["name_vi"], name_en=row["name_en"],
            )  # fmt: skip
            _fill_scheme(get, scheme, row, sources, digest)
            report.created += 1
    return report


def _fill_scheme(get, scheme, row: Mapping[str, Any], sources: Mapping, digest: str) -> None:
    """Write a fixture row into `scheme` (a new or an unused version): its fields, criteria, thresholds, rules."""
    scheme.name_vi, scheme.name_en = row["name_vi"], row["name_en"]
    scheme.legal_basis = row.get("legal_basis", "")
    scheme.kinds = ",".join(row.get("kinds", []))
    scheme.priority = row.get("priority", 0)
    scheme.total_points = _decimal(row.get("total_points", 100))
    scheme.source_note = _sources_text(row.get("source"), sources)
    scheme.version_note = row.get("version_note", "")
    scheme.fixture_digest = digest
    scheme.save()
    scheme.sectors.set(get("Sector").objects.filter(code__in=row.get("sectors", [])))
    get("Criterion").objects.filter(scheme=scheme).delete()
    get("ClassThreshold").objects.filter(scheme=scheme).delete()
    get("SchemeRule").objects.filter(scheme=scheme).delete()
    created: dict[str, Any] = {}
    for order, item in enumerate(row["criteria"], start=1):
        criterion = get("Criterion").objects.create(
            scheme=scheme,
            parent=created[item["parent"]] if item.get("parent") else None,
            number=item["number"],
            order=order * 10,
            title_vi=item["title_vi"],
            title_en=item["title_en"],
            max_points=_decimal(item.get("max_points")),
            rule=item["rule"],
            expression=item.get("expression", ""),
            precondition=item.get("precondition", ""),
            bands=item.get("bands", []),
            value_unit=item.get("value_unit", ""),
            guidance_vi=item.get("guidance_vi", ""),
            guidance_en=item.get("guidance_en", ""),
            confirmed=item.get("confirmed", False),
            source_note=_sources_text(item.get("source"), sources),
        )
        created[item["number"]] = criterion
    for item in row["thresholds"]:
        get("ClassThreshold").objects.create(
            scheme=scheme, klass=item["class"], min_points=_decimal(item["min"]),
            confirmed=item.get("confirmed", False), source_note=_sources_text(item.get("source"), sources),
        )  # fmt: skip
    for item in row.get("rules", []):
        get("SchemeRule").objects.create(
            scheme=scheme, kind=item["kind"], condition=item["condition"], months=item.get("months"),
            klass=item.get("class", ""), confirmed=item.get("confirmed", False),
            source_note=_sources_text(item.get("source"), sources),
        )  # fmt: skip


# -- versions ------------------------------------------------------------------------------------------------


def _copy(scheme: Scheme, actor: User | None, *, active: bool, note: str) -> Scheme:
    last = Scheme.objects.filter(code=scheme.code).aggregate(m=Max("version"))["m"] or 0
    new = Scheme.objects.create(
        code=scheme.code, version=last + 1, parent=scheme, active=False, shipped=False, created_by=actor,
        version_note=note, **{name: getattr(scheme, name) for name in SCHEME_FIELDS},
    )  # fmt: skip
    new.sectors.set(scheme.sectors.all())
    mapping: dict[int, Criterion] = {}
    for c in scheme.criteria.order_by("order", "pk"):
        copy = Criterion(scheme=new, parent=mapping.get(c.parent_id), number=c.number)
        for name in CRITERION_FIELDS:
            setattr(copy, name, getattr(c, name))
        copy.save()
        mapping[c.pk] = copy
    ClassThreshold.objects.bulk_create(
        ClassThreshold(scheme=new, klass=t.klass, min_points=t.min_points, confirmed=t.confirmed,
                       source_note=t.source_note)
        for t in scheme.thresholds.all()
    )  # fmt: skip
    SchemeRule.objects.bulk_create(
        SchemeRule(scheme=new, kind=r.kind, condition=r.condition, months=r.months, klass=r.klass,
                   confirmed=r.confirmed, source_note=r.source_note)
        for r in scheme.rules.all()
    )  # fmt: skip
    if active:
        _activate(new)
    return new


def _activate(scheme: Scheme) -> None:
    Scheme.objects.filter(code=scheme.code, active=True).exclude(pk=scheme.pk).update(active=False)
    if not scheme.active:
        scheme.active = True
        scheme.save(update_fields=["active"])


@transaction.atomic
def scheme_new_version(*, scheme: Scheme, actor: User, note: str = "") -> Scheme:
    """An inactive copy of `scheme`, as the next version, for an administrator to edit before activating it."""
    ensure_can_edit_schemes(actor)
    return _copy(scheme, actor, active=False, note=note)


@transaction.atomic
def scheme_activate(*, scheme: Scheme, actor: User) -> Scheme:
    """Make `scheme` the version new sheets are scored with (the other versions of its code stop being)."""
    ensure_can_edit_schemes(actor)
    _activate(scheme)
    return scheme


@transaction.atomic
def scheme_edit(
    *,
    scheme: Scheme,
    actor: User,
    note: str = "",
    criteria: Mapping[str, Mapping[str, Any] | None] | None = None,
    thresholds: Mapping[str, Any] | None = None,
    activate: bool = True,
    **fields: Any,
) -> Scheme:
    """Apply changes to a scheme as a new version, and (by default) make it the active one.

    `criteria` maps a criterion number to the fields to change (CRITERION_FIELDS, and `parent`: the
    number of the criterion it belongs to); a number the scheme does not have is added; None deletes
    the criterion. `thresholds` maps a class (tot, kha, trung_binh, yeu) to its least points. `fields`
    change the scheme itself (SCHEME_FIELDS). The earlier version, and every sheet it scored, stay as
    they were. Each criterion is checked (Criterion.clean); a ValidationError names the criterion and
    the field, and nothing is written.
    """
    ensure_can_edit_schemes(actor)
    unknown = set(fields) - set(SCHEME_FIELDS)
    if unknown:
        raise TypeError(f"unknown scheme fields: {sorted(unknown)}")
    new = _copy(scheme, actor, active=False, note=note)
    for name, value in fields.items():
        setattr(new, name, value)
    if fields:
        new.full_clean(exclude=["sectors"])
        new.save()
    existing = {c.number: c for c in new.criteria.all()}
    errors: dict[str, list[str]] = {}
    for number, changes in (criteria or {}).items():
        current = existing.get(number)
        if changes is None:
            if current is not None:
                current.delete()
            continue
        unknown = set(changes) - set(CRITERION_FIELDS) - {"parent"}
        if unknown:
            raise TypeError(f"unknown criterion fields: {sorted(unknown)}")
        c = current or Criterion(scheme=new, number=number, order=_next_order(existing))
        for name, value in changes.items():
            if name == "parent":
                c.parent = existing.get(value) if value else None
                if value and c.parent is None:
                    errors.setdefault(number, []).append(_("No criterion %(number)s.") % {"number": value})
            elif name == "max_points":
                c.max_points = _decimal(value)
            else:
                setattr(c, name, value)
        try:
            c.full_clean(exclude=["scheme"])
        except ValidationError as err:
            for field_name, messages in err.message_dict.items():
                label = number if field_name == "__all__" else f"{number} ({field_name})"
                errors.setdefault(label, []).extend(messages)
            continue
        c.save()
        existing[number] = c
    for klass, minimum in (thresholds or {}).items():
        ClassThreshold.objects.update_or_create(
            scheme=new, klass=klass, defaults={"min_points": _decimal(minimum)}
        )
    if errors:
        raise ValidationError({k: v for k, v in errors.items()})
    if activate:
        _activate(new)
    return new


def _next_order(existing: Mapping[str, Criterion]) -> int:
    return max((c.order for c in existing.values()), default=0) + 10


@transaction.atomic
def scheme_choose(*, unit, sector: Sector | None, scheme_code: str, actor: User) -> SchemeChoice:
    """A province uses the scheme `scheme_code` for `sector` (None: every sector), instead of the default."""
    ensure_can_edit_schemes(actor)
    choice = SchemeChoice.objects.filter(unit=unit, sector=sector).first() or SchemeChoice(
        unit=unit, sector=sector
    )
    choice.scheme_code = scheme_code
    choice.full_clean()
    choice.save()
    return choice


# -- choosing a scheme -------------------------------------------------------------------------------------


def schemes_with_data(qs=None) -> list[Scheme]:
    """Schemes with their criteria, thresholds, rules and sectors prefetched (five queries)."""
    qs = Scheme.objects.all() if qs is None else qs
    return list(
        qs.prefetch_related(
            Prefetch("criteria", queryset=Criterion.objects.order_by("order", "pk")),
            "thresholds",
            "rules",
            "sectors",
        )
    )


@dataclass
class SchemeChooser:
    """Picks the scheme of each organisation from schemes and choices loaded once (set-based callers)."""

    active: list[Scheme]
    choices: list[SchemeChoice]

    @classmethod
    def load(cls, *, criteria: bool = False) -> SchemeChooser:
        """The active schemes with their sectors and rules (and criteria and thresholds, if asked) and the
        provinces' choices: four queries (six with the criteria)."""
        active = Scheme.objects.active()
        return cls(
            active=schemes_with_data(active)
            if criteria
            else list(active.prefetch_related("sectors", "rules")),
            choices=list(SchemeChoice.objects.select_related("unit")),
        )

    @property
    def rated_kinds(self) -> set[str]:
        kinds: set[str] = set()
        for scheme in self.active:
            kinds |= set(scheme.kind_list) or {"htx", "lhhtx", "qtdnd", "tht"}
        return kinds

    def scheme_for(self, org: Organisation) -> Scheme | None:
        by_code = {s.code: s for s in self.active}
        paths = [p for p in (org.current_path, org.legacy_path) if p]
        chosen = [c for c in self.choices if any(p.startswith(c.unit.path) for p in paths)]
        for choice in sorted(chosen, key=lambda c: c.sector_id is None):
            if (
                choice.sector_id is None or choice.sector_id == org.sector_id
            ) and choice.scheme_code in by_code:
                scheme = by_code[choice.scheme_code]
                if scheme.rates_kind(org.kind):
                    return scheme
        fitting = []
        for scheme in self.active:
            sector_ids = {s.pk for s in scheme.sectors.all()}
            if scheme.rates_kind(org.kind) and (not sector_ids or org.sector_id in sector_ids):
                fitting.append((scheme.priority, bool(sector_ids), scheme.pk, scheme))
        return max(fitting, key=lambda t: t[:3])[3] if fitting else None


def scheme_for(org: Organisation) -> Scheme | None:
    """The scheme that rates `org` today (see the module docstring); None when none does (groups, credit funds)."""
    return SchemeChooser.load().scheme_for(org)


def active_schemes() -> Iterable[Scheme]:
    return Scheme.objects.active()
