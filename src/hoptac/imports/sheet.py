"""What every import of a sheet of organisations shares: the outcome, the reading of the cells, and
finding the organisation each row names.

An import reads a user's sheet whose rows each name an organisation (by cooperative code, else by
name and commune) and carry facts about it: the registry import (`registry.RegistryImport`) writes
the organisations themselves, the returns import (`returns.ReturnsImport`) their yearly figures.
Both collect every error as an `ImportIssue` (row, column, value, message) and write nothing if
there is any.
"""

from __future__ import annotations

import gc
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from hoptac.registry.models import Organisation
from hoptac.units.models import Unit

from . import bulk
from .columns import FieldSet, Layout, apply_mapping, find_layout
from .places import Location, PlaceError, Placement, Places, scope_check
from .reader import ImportFileError, Workbook
from .values import CellError, as_text, fold_words, norm, parse_text

CHUNK = 2000
Progress = Callable[[str, int, int], None]


@dataclass
class ImportIssue:
    """One problem: where it is in the user's file, what the cell held, and what is wrong."""

    row: int | None
    column: str  # the column letter; "" when the problem is the row's, not a cell's
    header: str
    value: str
    message: str
    col_index: int | None = None

    def line(self) -> str:
        # The command's output format, fixed so that scripts can read it: `row N, column C: message`.
        if self.row is None:
            return self.message
        where = f"row {self.row}, column {self.column}" if self.column else f"row {self.row}"
        header = f" ({self.header})" if self.header else ""
        return f"{where}{header}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportIssue:
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__})


@dataclass
class RowAction:
    row: int
    action: str  # create, update, unchanged
    name: str
    code: str
    changes: list[str] = field(default_factory=list)  # field keys

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ImportResult:
    layout: Layout
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    actions: list[RowAction] = field(default_factory=list)
    errors: list[ImportIssue] = field(default_factory=list)
    # Findings that do not block (the returns' warning rules), in the same shape as the errors.
    warnings: list[ImportIssue] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }

    def count_actions(self) -> None:
        self.created = sum(1 for a in self.actions if a.action == "create")
        self.updated = sum(1 for a in self.actions if a.action == "update")
        self.unchanged = sum(1 for a in self.actions if a.action == "unchanged")


def mapping_lines(layout: Layout, fieldset: FieldSet) -> list[tuple[str, str, str]]:
    """(column letter, header, field label or "") for every column with a header, in order."""
    out = []
    for column in layout.columns:
        if not column.header and not column.field:
            continue
        label = str(fieldset.spec(column.field).label) if column.field else ""
        out.append((column.letter, column.header, label))
    return out


class SheetImport(ABC):
    """One import of one file by one user. `check()` and `run()` give an ImportResult.

    Subclasses set `fieldset`, give `_parsers()` and `_run_all()`, and may override `_in_scope`.
    Rows are objects with `number`, `cells`, `values`, `failed` and `ok` (see registry._Row).
    """

    fieldset: FieldSet

    def __init__(
        self,
        workbook: Workbook,
        *,
        actor=None,
        mapping: dict[str, str] | None = None,
        area: Unit | None = None,
        source: str = "",
        progress: Progress | None = None,
    ):
        self.workbook = workbook
        self.actor = actor
        self.area = area
        self.source = source
        self.progress = progress or (lambda phase, done, total: None)
        self.layout = layout_of(workbook, self.fieldset, mapping)
        self.columns = self.layout.mapped()
        missing = self.missing_columns(set(self.columns))
        if missing:
            raise ImportFileError(missing)

    @classmethod
    def missing_columns(cls, fields: set[str]) -> str:
        """Why columns mapped to `fields` are not enough for this import; "" when they are."""
        return ""

    # --- entry points ------------------------------------------------------------------------------

    def check(self) -> ImportResult:
        """Everything but the writing: what would be created, updated or left, or every error."""
        return self._run(write=False)

    def run(self) -> ImportResult:
        """Check, then write everything in one transaction if there is no error."""
        return self._run(write=True)

    def _run(self, *, write: bool) -> ImportResult:
        # Hundreds of thousands of small objects live until the end: the cyclic garbage collector
        # would walk them again and again (a quarter of the time) and find nothing to free.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return self._run_all(write=write)
        finally:
            if collecting:
                gc.enable()

    @abstractmethod
    def _run_all(self, *, write: bool) -> ImportResult:
        """Read, check and (with `write`) write every row: each kind of import says how."""

    # --- errors ------------------------------------------------------------------------------------

    def _issue(self, row, key: str | None, message: str) -> ImportIssue:
        column = self.columns.get(key) if key else None
        if column is None:
            return ImportIssue(row.number, "", "", "", message)
        raw = row.cells[column.index] if column.index < len(row.cells) else ""
        return ImportIssue(row.number, column.letter, column.header, as_text(raw), message, column.index)

    def _error(self, row, key: str | None, message: str) -> None:
        row.ok = False
        self._issues.append(self._issue(row, key, message))

    # --- reading the cells -------------------------------------------------------------------------

    @abstractmethod
    def _parsers(self) -> dict[str, tuple[Callable[[Any], Any], bool]]:
        """field → (parser, whether its results are worth caching by cell value)."""

    def _prepare_parsers(self) -> None:
        parsers = self._parsers()
        self._plan_parsers = [
            (key, column.index, *parsers[key], {}) for key, column in self.columns.items() if key in parsers
        ]
        self._formulas = self.layout.sheet.formulas

    def _parse(self, row) -> None:
        if not hasattr(self, "_plan_parsers"):
            self._prepare_parsers()
        cells = row.cells
        values = row.values
        index_row = row.number - 1
        formulas = self._formulas
        for key, index, parser, cached, cache in self._plan_parsers:
            raw = cells[index]
            # Blank: "", None or spaces. Most cells are plain str, tested first: comparing a number
            # or a date with "" costs more than a class check (a str subclass still compares).
            if raw.__class__ is str:
                if not raw or raw.isspace():
                    continue
            elif raw is None or raw == "":
                continue
            if formulas and (index_row, index) in formulas:
                row.failed.add(key)
                self._error(row, key, _("This cell holds a formula: type the value itself."))
                continue
            if cached:
                # Cells of a column repeat (sectors, statuses, dates, communes): read each text once.
                hit = cache.get(raw)
                if hit is None:
                    try:
                        hit = (True, parser(raw))
                    except CellError as err:
                        hit = (False, str(err))
                    cache[raw] = hit
                if hit[0]:
                    values[key] = hit[1]
                else:
                    row.failed.add(key)
                    self._error(row, key, hit[1])
                continue
            try:
                values[key] = parser(raw)
            except CellError as err:
                row.failed.add(key)
                self._error(row, key, str(err))

    # --- finding the organisations the file names --------------------------------------------------

    def _match(self, rows: list) -> None:
        """Load the organisations the file names, by code and by folded name (a few queries)."""
        codes = sorted({row.values["code"] for row in rows if "code" in row.values})
        self.by_code: dict[str, Organisation] = {
            org.code: org for org in bulk.select_in(Organisation.objects.all(), "code", codes)
        }
        memo: dict[str, str] = {}
        for row in rows:
            values = row.values
            if "name" in values:
                words = values["name"].split()
                values["name"] = " ".join(words)
                values["name_folded"] = fold_words(words, memo)
        names = sorted(
            {
                row.values["name_folded"]
                for row in rows
                if "name" in row.values and row.values.get("code") not in self.by_code
            }
        )
        self.by_name: dict[str, list[Organisation]] = {}
        for org in bulk.select_in(Organisation.objects.all(), "name_folded", names):
            self.by_name.setdefault(org.name_folded, []).append(org)

    def _located(self, unit_id: int) -> tuple[Location, bool]:
        if unit_id not in self._locations:
            location = self.places.locate(unit_id)
            self._locations[unit_id] = (location, scope_check(self.actor, location))
        return self._locations[unit_id]

    def _in_scope(self, org: Organisation) -> bool:
        return scope_check(
            self.actor, Location(org.unit_id, None, None, org.current_path or "", org.legacy_path or "")
        )

    def _place(self, row, org, founded, ended) -> Placement | bool | None:
        """The placement the row's names give; None when they give none; False after an error."""
        v = row.values
        names = {k: v.get(k, "") for k in ("commune", "legacy_commune", "district", "province")}
        if row.failed and any(k in row.failed for k in names):
            return False
        if "address" in v and "commune" not in self.columns and "legacy_commune" not in self.columns:
            found = self.places.split_address(
                v["address"], district=names["district"], province=names["province"]
            )
            for key, text in found.items():
                names[key] = names[key] or text
        if not any(names.values()):
            if org is None and self.area is not None and self.area.level == Unit.Level.COMMUNE:
                return self.places.resolve(founded_on=founded, ended_on=ended)
            return None
        if org is not None:
            founded = founded or org.founded_on
            ended = ended or org.ended_on
        found = self.places.resolve(**names, founded_on=founded, ended_on=ended)
        if isinstance(found, PlaceError):
            key = (
                found.field
                if found.field in self.columns
                else ("address" if "address" in self.columns else None)
            )
            self._error(row, key, found.message)
            return False
        return found

    def _match_by_name(self, row, name: str, code: str | None, placement: Placement | None):
        """The organisation of that name in the placement's units; None if none; False after an error."""
        if placement is None or row.values["name_folded"] not in self.by_name:
            return None
        location = self.places.locate(placement.unit.id)
        found = [
            org
            for org in self.by_name.get(row.values["name_folded"], [])
            if (not code or not org.code)
            and (
                org.unit_id in placement.acceptable
                or (location.current_commune_id and org.current_commune_id == location.current_commune_id)
            )
        ]
        if len(found) > 1:
            self._error(
                row,
                "name",
                _(
                    "Several organisations named “%(name)s” are registered in %(unit)s: give the code to say which."
                )
                % {"name": name, "unit": placement.unit.name},
            )
            return False
        if found and not self._in_scope(found[0]):
            self._error(row, "commune", _("%(name)s is outside your area.") % {"name": placement.unit.name})
            return False
        return found[0] if found else None

    def _setup_places(self) -> None:
        self.places = Places.for_user(self.actor, area=self.area)
        self._locations: dict[int, tuple[Location, bool]] = {}


def layout_of(workbook: Workbook, fieldset: FieldSet, mapping: dict[str, str] | None = None) -> Layout:
    """The table of the workbook's visible sheets, its columns mapped (and corrected by `mapping`)."""
    sheets = [s for s in workbook.sheets if s.visible] or workbook.sheets
    layout = find_layout(sheets, fieldset, mapping)
    if mapping:
        apply_mapping(layout, fieldset, mapping)
    return layout


def chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def parse_code(value: Any) -> str:
    """A cooperative or tax code. A code typed as a number lost its leading zero: 10 digits come back."""
    if isinstance(value, float | int) and not isinstance(value, bool) and float(value).is_integer():
        text = str(int(value))
        return text.zfill(10) if len(text) == 9 else text
    text = "".join(parse_text(value).split())
    if len(text) > 20:
        raise CellError(_("“%(value)s” is too long for a code (20 characters at most).") % {"value": text})
    return text


def money_scale(header: str) -> Decimal:
    """Amounts are stored in million đồng; a header in billions, thousands or đồng says otherwise."""
    key = f" {norm(header)} "
    if " trieu " in key or " tr d " in key or " trd " in key or " million " in key:
        return Decimal(1)
    if " ty dong " in key or " ty " in key or " billion " in key:
        return Decimal(1000)
    if " nghin dong " in key or " ngan dong " in key or " 1000 dong " in key or " thousand " in key:
        return Decimal("0.001")
    if " dong " in key or " vnd " in key:
        return Decimal("0.000001")
    return Decimal(1)
