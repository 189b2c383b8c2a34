"""The returns import: a year's figures of many organisations from one sheet, all or nothing.

Each data row names an organisation, by cooperative code (Mã số HTX / Mã số thuế), else by name and
commune (the registry import's matching, `sheet.SheetImport`), and gives figures of its return for
the year, one column per figure of `hoptac.returns.fields.FIELDS`. A blank cell leaves the figure
as it is, so that a template filled in for a few organisations, or an export read back, changes only
what it gives.

Every row is checked as the return form checks it: the figures are read (Vietnamese numbers,
Có/Không, the classes), then the return as it would become is run through the validation rules of
the returns app (`returns.validation.return_validate`, which are data). A blocking rule is an error
naming the row and the column of its figure; a warning is reported and does not block. A return
that is submitted or approved cannot change: its row is an error unless its figures are unchanged.
An organisation outside the user's area, unknown, or named twice in the file is an error of its row.

If any row has an error, nothing is written. Otherwise every return is written through the returns
services (`return_create_or_get`, then `return_save` from the version that was checked), in one
transaction: the import is an ordinary save, and leaves each return a draft (or as it was), to be
submitted from the page as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hoptac.accounts import access as account_access
from hoptac.registry.models import Organisation
from hoptac.returns import access as returns_access
from hoptac.returns import services
from hoptac.returns.fields import (
    CLASSIFICATION_VI,
    FIELDS,
    FIELDS_BY_NAME,
    YES_NO_VI,
    Classification,
    Measure,
    Type,
)
from hoptac.returns.fields import FieldSpec as FigureSpec
from hoptac.returns.models import AnnualReturn
from hoptac.returns.validation import Finding, active_rules, return_validate

from .columns import REGISTRY_FIELDS, FieldSet, FieldSpec, data_rows
from .reader import ImportFileError, Workbook
from .sheet import (
    ImportIssue,
    ImportResult,
    Progress,
    RowAction,
    SheetImport,
    chunks,
    money_scale,
    parse_code,
)
from .values import CellError, Vocabulary, as_text, parse_bool, parse_number, parse_text

Status = AnnualReturn.Status
_MONEY_MEASURES = (Measure.MILLION_VND, Measure.MILLION_VND_PER_PERSON)
_KINDS = {Type.INTEGER: "number", Type.DECIMAL: "money", Type.BOOLEAN: "bool", Type.CHOICE: "choice"}


def _figure_note_text(spec: FigureSpec) -> str:
    from hoptac.returns.forms import help_text_for  # the form's help, which states the age limit

    if spec.type == Type.BOOLEAN:
        unit = " / ".join(YES_NO_VI.values())
    elif spec.type == Type.CHOICE:
        unit = ", ".join(CLASSIFICATION_VI.values())
    else:
        unit = str(Measure(spec.measure).label)
    help_text = help_text_for(spec)
    return f"{unit}: {help_text}" if unit else help_text


_figure_note = lazy(_figure_note_text, str)


def _identity(key: str, note) -> FieldSpec:
    spec = REGISTRY_FIELDS.spec(key)
    return FieldSpec(key, spec.label, spec.kind, spec.synonyms, note)


RETURN_FIELDS = FieldSet(
    fields=(
        _identity("code", gettext_lazy("Identifies the organisation: its cooperative code or tax code.")),
        _identity(
            "name", gettext_lazy("Used when there is no code: the name as registered, with its commune.")
        ),
        _identity("kind", gettext_lazy("For information: the import does not change it.")),
        _identity(
            "commune", gettext_lazy("The commune or ward: tells organisations of the same name apart.")
        ),
        _identity("legacy_commune", gettext_lazy("Optional.")),
        _identity("district", gettext_lazy("Optional.")),
        _identity("province", gettext_lazy("Optional.")),
        *(
            FieldSpec(
                spec.name,
                spec.label,
                _KINDS.get(spec.type, "text"),
                (spec.header_vi, *spec.synonyms),
                _figure_note(spec),
            )
            for spec in FIELDS
        ),
    ),
    ignorable=REGISTRY_FIELDS.ignorable,
)


# --- the sheet: the template's and the export's columns ------------------------------------------


@dataclass(frozen=True)
class SheetColumn:
    key: str  # a key of RETURN_FIELDS
    header: str  # Vietnamese, whatever the interface language, as the import reads it
    kind: str  # text, integer, decimal, bool, choice
    width: int = 14
    figure: FigureSpec | None = None

    @property
    def note(self) -> str:
        return str(RETURN_FIELDS.spec(self.key).note)


def _figure_column(spec: FigureSpec) -> SheetColumn:
    width = 40 if spec.type == Type.TEXT else 16
    return SheetColumn(spec.name, spec.header_vi, spec.type, width, spec)


SHEET_COLUMNS: tuple[SheetColumn, ...] = (
    SheetColumn("code", "Mã số HTX", "text", 14),
    SheetColumn("name", "Tên tổ chức", "text", 40),
    SheetColumn("kind", "Loại hình", "text", 18),
    SheetColumn("commune", "Xã, phường", "text", 20),
    SheetColumn("province", "Tỉnh", "text", 14),
    *(_figure_column(spec) for spec in FIELDS),
)


def _cell(spec: FigureSpec, value: Any) -> Any:
    """A figure as the sheet shows it: numbers as numbers, Có/Không, the class in Vietnamese."""
    if value is None or value == "":
        return None
    if spec.type == Type.BOOLEAN:
        return YES_NO_VI[bool(value)]
    if spec.type == Type.CHOICE:
        return CLASSIFICATION_VI.get(value, value)
    return value


def commune_name(org: Organisation) -> str:
    """The commune the sheet names: the current one, else the former one; "" for a district."""
    if org.current_commune_id:
        return org.current_commune.name
    if org.unit.level == org.unit.Level.COMMUNE:
        return org.unit.name
    return ""


def province_name(org: Organisation) -> str:
    unit = org.current_commune if org.current_commune_id else org.unit
    while unit.parent_id is not None:
        unit = unit.parent
    return unit.name if unit.level == unit.Level.PROVINCE else ""


SHEET_RELATED = ("unit__parent__parent", "current_commune__parent")


def sheet_rows(orgs, *, year: int, figures: bool = True) -> Iterator[tuple[Any, ...]]:
    """One row per organisation of `orgs` (a queryset, in its order), in the order of SHEET_COLUMNS.

    With figures=False, the identity only (the template); else the organisation's return for `year`
    as it stands (blank cells where it has none). Two queries per 2,000 organisations.
    """
    from django.utils import translation

    qs = orgs.select_related(*SHEET_RELATED)
    batch: list[Organisation] = []

    def flush() -> Iterator[tuple[Any, ...]]:
        rets = {}
        if figures:
            rets = {
                r.organisation_id: r
                for r in AnnualReturn.objects.filter(year=year, organisation_id__in=[o.pk for o in batch])
            }
        with translation.override("vi"):
            for org in batch:
                ret = rets.get(org.pk)
                identity = (
                    org.code or "",
                    org.name,
                    str(org.get_kind_display()),
                    commune_name(org),
                    province_name(org),
                )
                values = tuple(
                    _cell(spec, getattr(ret, spec.name)) if ret is not None else None for spec in FIELDS
                )
                yield identity + values

    for org in qs.iterator(chunk_size=2000):
        batch.append(org)
        if len(batch) == 2000:
            yield from flush()
            batch = []
    if batch:
        yield from flush()


# --- reading the cells ----------------------------------------------------------------------------

_CLASSES = Vocabulary(
    Classification,
    {
        Classification.GOOD: ("tot", "loai tot", "xep loai tot", "hoat dong tot", "a"),
        Classification.FAIR: ("kha", "loai kha", "xep loai kha", "hoat dong kha", "b"),
        Classification.AVERAGE: ("trung binh", "loai trung binh", "xep loai trung binh", "tb", "c"),
        Classification.WEAK: ("yeu", "yeu kem", "loai yeu", "xep loai yeu", "d"),
    },
    what="classification",
)
_INT_LIMIT = 2**31


def _integer(value: Any) -> int:
    number = parse_number(value)
    if number != number.to_integral_value():
        raise CellError(_("“%(value)s” is not a whole number.") % {"value": as_text(value)})
    if abs(number) >= _INT_LIMIT:
        raise CellError(_("“%(value)s” is too large.") % {"value": as_text(value)})
    return int(number)


def _decimal(spec: FigureSpec, scale: Decimal) -> Callable[[Any], Decimal]:
    step = Decimal(1).scaleb(-(spec.decimal_places or 0))
    limit = Decimal(10) ** ((spec.max_digits or 15) - (spec.decimal_places or 0))

    def parse(value: Any) -> Decimal:
        number = (parse_number(value) * scale).quantize(step, rounding=ROUND_HALF_UP)
        if abs(number) >= limit:
            raise CellError(_("“%(value)s” is too large.") % {"value": as_text(value)})
        return number

    return parse


@dataclass(slots=True)
class _Row:
    number: int
    cells: list[Any]
    values: dict[str, Any] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)
    ok: bool = True
    org: Organisation | None = None
    ret: AnnualReturn | None = None  # the existing return, as checked
    figures: dict[str, Any] = field(default_factory=dict)  # what the file gives
    changes: list[str] = field(default_factory=list)
    action: str = ""


class _Refused(Exception):
    """A service refused a row at the write: everything written before it is rolled back."""

    def __init__(self, row: _Row, message: str):
        super().__init__(message)
        self.row = row
        self.message = message


def _changed_message() -> str:
    return _("The returns changed while the file was being imported; nothing was written. Try again.")


class ReturnsImport(SheetImport):
    """One returns import of one file, for one year, by one user. `check()` and `run()` give an
    ImportResult; its actions are create (a new draft), update, or unchanged (nothing to write)."""

    fieldset = RETURN_FIELDS

    def __init__(self, workbook: Workbook, *, year: int, actor, **kwargs: Any):
        if actor is None:
            raise ImportFileError(_("Returns are imported in the name of a user: give the user."))
        super().__init__(workbook, actor=actor, **kwargs)
        self.year = year
        self.figure_keys = [spec.name for spec in FIELDS if spec.name in self.columns]

    @classmethod
    def missing_columns(cls, fields: set[str]) -> str:
        if not fields & {"code", "name"}:
            return _(
                "No column identifies the organisations: map one to the field “Cooperative code” or “Name”."
            )
        if not fields & set(FIELDS_BY_NAME):
            return _("No column holds a figure of the yearly return: map at least one.")
        return ""

    # --- the run -----------------------------------------------------------------------------------

    def _run_all(self, *, write: bool) -> ImportResult:
        result = ImportResult(layout=self.layout)
        self._issues = result.errors
        self._warnings = result.warnings
        rows = [_Row(number, cells) for number, cells in data_rows(self.layout, RETURN_FIELDS)]
        if not rows:
            raise ImportFileError(_("The file has no rows of data under its headers."))
        result.rows = len(rows)
        self._setup_places()
        self._prepare_parsers()
        for i, row in enumerate(rows):
            self._parse(row)
            if i % 500 == 499:
                self.progress("checking", (i + 1) // 2, len(rows))
        self._match(rows)
        self._load(rows)
        seen: dict[int, int] = {}
        for i, row in enumerate(rows):
            self._plan(row, seen)
            if i % 500 == 499:
                self.progress("checking", (len(rows) + i + 1) // 2, len(rows))
        self.progress("checking", len(rows), len(rows))
        for row in rows:
            if row.ok and row.action:
                result.actions.append(
                    RowAction(row.number, row.action, row.org.name, row.org.code or "", row.changes)
                )
        result.errors.sort(key=_issue_order)
        result.warnings.sort(key=_issue_order)
        if result.errors:
            return result
        result.count_actions()
        if write:
            try:
                self._write(rows)
            except _Refused as refusal:
                result.errors.append(self._issue(refusal.row, None, refusal.message))
                return result
            result.written = True
        return result

    def _parsers(self) -> dict[str, tuple[Callable[[Any], Any], bool]]:
        def place(value):
            return parse_text(value, max_length=120)

        parsers: dict[str, tuple[Callable[[Any], Any], bool]] = {
            "code": (parse_code, False),
            "name": (lambda v: parse_text(v, max_length=255), False),
            "commune": (place, True),
            "legacy_commune": (place, True),
            "district": (place, True),
            "province": (place, True),
        }
        for spec in FIELDS:
            if spec.type == Type.INTEGER:
                parsers[spec.name] = (_integer, True)
            elif spec.type == Type.DECIMAL:
                column = self.columns.get(spec.name)
                scale = (
                    money_scale(column.header) if column and spec.measure in _MONEY_MEASURES else Decimal(1)
                )
                parsers[spec.name] = (_decimal(spec, scale), True)
            elif spec.type == Type.BOOLEAN:
                parsers[spec.name] = (parse_bool, True)
            elif spec.type == Type.CHOICE:
                parsers[spec.name] = (_CLASSES.lookup, True)
            else:
                parsers[spec.name] = (lambda v: parse_text(v, max_length=2000), False)
        return parsers

    # --- what the file names, and the returns it touches --------------------------------------------

    def _load(self, rows: list[_Row]) -> None:
        """The organisations the user may enter returns of, among those the file may name, with their
        sectors (for the rules), their returns of the year and last year's (for the rules): a few
        queries, whatever the number of rows."""
        candidates = {org.pk for org in self.by_code.values()}
        candidates |= {org.pk for orgs in self.by_name.values() for org in orgs}
        self.enterable: dict[int, Organisation] = {}
        if returns_access.may_enter_returns(self.actor):
            scope = account_access.visible_organisations(self.actor).select_related("sector", "subsector")
            for pk_chunk in chunks(sorted(candidates)):
                self.enterable.update((org.pk, org) for org in scope.filter(pk__in=pk_chunk))
        self.returns: dict[int, AnnualReturn] = {}
        self.previous: dict[int, AnnualReturn] = {}
        for pk_chunk in chunks(sorted(self.enterable)):
            for ret in AnnualReturn.objects.filter(organisation_id__in=pk_chunk, year=self.year):
                self.returns[ret.organisation_id] = ret
            for ret in AnnualReturn.objects.filter(
                organisation_id__in=pk_chunk,
                year=self.year - 1,
                status__in=[Status.SUBMITTED, Status.APPROVED],
            ):
                self.previous[ret.organisation_id] = ret
        self.rules = active_rules()

    def _in_scope(self, org: Organisation) -> bool:
        return org.pk in self.enterable

    def _find(self, row: _Row) -> Organisation | None:
        """The organisation the row names, or None after reporting why there is none."""
        v = row.values
        code, name = v.get("code"), v.get("name")
        if not code and not name:
            if not ({"code", "name"} & row.failed):
                key = "code" if "code" in self.columns else "name"
                self._error(row, key, _("The organisation is not named: give its code or its name."))
            return None
        org = self.by_code.get(code) if code else None
        if org is None and name:
            placement = self._place(row, None, None, None)
            if placement is False:
                return None
            if placement is None:
                org = self._match_by_name_in_scope(row, name, code)
            else:
                org = self._match_by_name(row, name, code, placement)
            if org is False:
                return None
            if org is None:
                if code:
                    message = _(
                        "No organisation in the registry has the code %(code)s or the name “%(name)s”."
                    )
                elif placement is not None:
                    message = _("No organisation named “%(name)s” is registered in %(unit)s.")
                else:
                    message = _("No organisation named “%(name)s” is registered in your area.")
                unit = placement.unit.name if placement else ""
                self._error(row, "name", message % {"code": code, "name": name, "unit": unit})
                return None
        if org is None:
            self._error(
                row, "code", _("No organisation in the registry has the code %(code)s.") % {"code": code}
            )
            return None
        if not self._in_scope(org):
            key = "code" if code and org.code == code else "name"
            self._error(
                row,
                key,
                _("%(name)s is outside your area: you may not enter its returns.") % {"name": org.name},
            )
            return None
        return self.enterable[org.pk]

    def _match_by_name_in_scope(self, row: _Row, name: str, code: str | None):
        """Without a commune: the only organisation of that name in the user's area."""
        found = [org for org in self.by_name.get(row.values["name_folded"], []) if not code or not org.code]
        mine = [org for org in found if self._in_scope(org)]
        if len(mine) > 1:
            self._error(
                row,
                "name",
                _(
                    "Several organisations named “%(name)s” are registered in your area: give the code, "
                    "or the commune, to say which."
                )
                % {"name": name},
            )
            return False
        if not mine and found:
            self._error(
                row,
                "name",
                _("%(name)s is outside your area: you may not enter its returns.") % {"name": name},
            )
            return False
        return mine[0] if mine else None

    # --- one row -----------------------------------------------------------------------------------

    def _plan(self, row: _Row, seen: dict[int, int]) -> None:
        org = self._find(row)
        if org is None:
            return
        row.org = org
        if org.pk in seen:
            key = "code" if "code" in row.values else "name"
            self._error(row, key, _("Row %(row)d already names this organisation.") % {"row": seen[org.pk]})
            return
        seen[org.pk] = row.number
        # A figure the form does not ask of this organisation (the bad-debt ratio of a cooperative that
        # is not a credit one) is left to the validation rules, which are data.
        row.figures = {key: row.values[key] for key in self.figure_keys if key in row.values}
        ret = self.returns.get(org.pk)
        row.ret = ret
        if not row.figures:
            row.action = "unchanged"  # the template's row of an organisation that was not filled in
            return
        if ret is None:
            try:
                services.check_year(org, self.year)
            except ValidationError as err:
                self._error(row, None, " ".join(err.messages))
                return
            row.changes = list(row.figures)
            row.action = "create"
            candidate = AnnualReturn(organisation=org, year=self.year)
        else:
            row.changes = [key for key, value in row.figures.items() if not _same(getattr(ret, key), value)]
            if not row.changes:
                row.action = "unchanged"
                return
            if not ret.is_editable:
                if ret.status == Status.APPROVED:
                    message = _(
                        "The return for %(year)s is approved and locked: reopen it, with a reason, first."
                    )
                else:
                    message = _(
                        "The return for %(year)s is submitted: it must be sent back for correction before it "
                        "can change."
                    )
                self._error(row, row.changes[0], message % {"year": self.year})
                return
            row.action = "update"
            candidate = _copy(ret)
        candidate.organisation = org
        for key, value in row.figures.items():
            setattr(candidate, key, _stored(key, value))
        for finding in return_validate(candidate, rules=self.rules, prev=self.previous.get(org.pk)):
            # A cell that could not be read has its own error already; other rules still speak.
            if not row.failed.intersection((finding.field, *finding.fields)):
                self._finding(row, finding)

    def _finding(self, row: _Row, finding: Finding) -> None:
        keys = [finding.field, *finding.fields]
        key = next((k for k in keys if k in row.figures), None) or next(
            (k for k in keys if k in self.columns), None
        )
        if finding.is_error:
            self._error(row, key, finding.message)
        else:
            self._warnings.append(self._issue(row, key, finding.message))

    # --- writing -----------------------------------------------------------------------------------

    def _write(self, rows: list[_Row]) -> None:
        """Every return through the returns services, in one transaction; _Refused if any refuses."""
        todo = [r for r in rows if r.action in ("create", "update")]
        with transaction.atomic():
            for i, row in enumerate(todo):
                try:
                    if row.ret is None:
                        ret, created = services.return_create_or_get(
                            organisation=row.org, year=self.year, actor=self.actor
                        )
                        if not created:
                            raise _Refused(row, _changed_message())
                    else:
                        ret = row.ret
                    services.return_save(
                        ret=ret,
                        actor=self.actor,
                        data={key: row.figures[key] for key in row.changes},
                        expected_version=ret.version,
                    )
                except (services.StaleReturnError, services.TransitionError, services.ReturnInvalidError):
                    # What the check saw has moved on: another version, a new state, a rule changed.
                    raise _Refused(row, _changed_message()) from None
                except (ValidationError, PermissionDenied) as err:
                    raise _Refused(row, " ".join(getattr(err, "messages", [str(err)]))) from None
                if i % 100 == 99:
                    self.progress("writing", i + 1, len(todo))


def _issue_order(issue: ImportIssue) -> tuple[int, int]:
    return (issue.row or 0, issue.col_index if issue.col_index is not None else -1)


def _stored(key: str, value: Any) -> Any:
    spec = FIELDS_BY_NAME[key]
    if value is None and spec.type in (Type.TEXT, Type.CHOICE):
        return ""
    return value


def _same(current: Any, new: Any) -> bool:
    if current in ("", None):
        return new in ("", None)
    return current == new


def _copy(ret: AnnualReturn) -> AnnualReturn:
    clone = AnnualReturn()
    clone.__dict__.update({k: v for k, v in ret.__dict__.items() if k != "_state"})
    return clone


def import_returns(
    workbook: Workbook,
    *,
    year: int,
    actor,
    mapping: dict[str, str] | None = None,
    area=None,
    dry_run: bool = False,
    source: str = "",
    progress: Progress | None = None,
) -> ImportResult:
    """Import a year's returns (see ReturnsImport): check only with dry_run, else check and write."""
    job = ReturnsImport(
        workbook, year=year, actor=actor, mapping=mapping, area=area, source=source, progress=progress
    )
    return job.check() if dry_run else job.run()


def year_error(year: int) -> str:
    """Why a returns import cannot be for `year`; "" when it can (each row's organisation is checked too)."""
    from hoptac.returns.queries import current_reporting_year

    last = current_reporting_year()
    if not services.FIRST_YEAR <= year <= last:
        return _("The year must lie between %(first)s and %(last)s.") % {
            "first": services.FIRST_YEAR,
            "last": last,
        }
    return ""
