"""What the annual report says: its sections, written from a snapshot's figures, in the active language.

    from hoptac.documents.content import build

    report = build(snapshot.figures, meta)       # a Report: header, sections, recipients, signature
    report.sections[0].blocks                   # Paragraph, Table and Chart blocks, in reading order
    report.tables()                             # every table, for the workbook

A section is a function of the figures (SECTIONS, in the report's order): it writes its narrative
from the numbers (counts and changes on the previous year, classes, each target with its status,
tasks, budget) and gives its tables (with the totals' definitions, so that the workbook writes them
as formulas) and its charts. Nothing here reads the database: the snapshot is all there is, so a
report generated again from the same snapshot says the same thing. Sections whose data the system
does not hold for the year say so ("No data") rather than show zeros.

Callers render under `translation.override("vi")`: an official document is in Vietnamese (the
msgids are English, as everywhere in the code).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _

from .numbers import dec, fmt, fmt_dec, fmt_int, share, whole

SYMBOL = "BC-UBND"  # the symbol of a report (báo cáo) of a People's Committee (Ủy ban nhân dân)


# -- the report's parts ------------------------------------------------------------------------------------


@dataclass
class Column:
    label: str
    kind: str = "text"  # text, int (whole numbers), dec (two decimals), pct (a percentage, two decimals)
    total: str = ""  # what the total row holds: "sum", or "" (blank)
    # A column computed from others in the same row, written as a formula in the workbook:
    # "diff:A:B" (column B minus column A), "share:A" (column A ÷ the total of column A × 100).
    formula: str = ""
    width: float = 1.0  # relative width


@dataclass
class Row:
    cells: list[Any]
    group: bool = False  # a heading row across the table (its label in cells[0])
    kinds: list[str] | None = None  # per-cell kinds, when the row's unit differs from the column's

    def kind(self, column: Column, index: int) -> str:
        return self.kinds[index] if self.kinds else column.kind


@dataclass
class Table:
    key: str  # the sheet's name
    title: str
    columns: list[Column]
    rows: list[Row]
    unit_note: str = ""
    total_label: str = ""  # no total row when empty
    # Which totals equal which indicator: {column: (indicator code, year, "value" | "denominator")}.
    checks: dict[int, tuple[str, int, str]] = field(default_factory=dict)
    number: int = 0

    @property
    def caption(self) -> str:
        return _("Table %(number)s. %(title)s") % {"number": self.number, "title": self.title}

    @property
    def data_rows(self) -> list[Row]:
        return [r for r in self.rows if not r.group]

    def total_row(self) -> list[Any] | None:
        """The total row as the documents print it (the workbook writes formulas that give the same)."""
        if not self.total_label:
            return None
        out: list[Any] = [None] * len(self.columns)
        out[0] = self.total_label
        for i, col in enumerate(self.columns):
            if col.total == "sum":
                cells = [dec(r.cells[i]) for r in self.data_rows if dec(r.cells[i]) is not None]
                out[i] = sum(cells, Decimal(0)) if cells else None
        for i, col in enumerate(self.columns):
            if col.formula.startswith("diff:"):
                a, b = (int(x) for x in col.formula.split(":")[1:])
                out[i] = None if out[a] is None or out[b] is None else out[b] - out[a]
            elif col.formula.startswith("share:"):
                a = int(col.formula.split(":")[1])
                out[i] = share(out[a], out[a])
            elif col.formula.startswith("rate:"):
                a, b = (int(x) for x in col.formula.split(":")[1:])
                out[i] = share(out[b], out[a])
        return out


@dataclass
class Chart:
    key: str
    title: str
    kind: str  # "bar" (vertical, a series per colour) or "hbar" (horizontal, one series)
    labels: list[str]
    series: list[tuple[str, list[Any]]]
    unit: str = "count"
    number: int = 0

    @property
    def caption(self) -> str:
        return _("Chart %(number)s. %(title)s") % {"number": self.number, "title": self.title}


@dataclass
class Paragraph:
    text: str
    style: str = "body"  # body, bullet, subheading, note


@dataclass
class Section:
    key: str
    heading: str
    blocks: list[Paragraph | Table | Chart] = field(default_factory=list)
    level: int = 1

    def say(self, text: str, style: str = "body") -> None:
        if text:
            self.blocks.append(Paragraph(text, style))


@dataclass
class Report:
    unit: dict[str, Any]
    year: int
    language: str
    issuer: str
    issuer_lines: list[str]
    number_line: str
    place_date: str
    kind: str
    subject: str
    intro: list[str]
    sections: list[Section]
    closing: str
    recipients: list[str]
    signature: list[str]  # TM. …, KT. …, title
    signer_name: str
    data_note: str
    snapshot_id: int | None = None
    number: str = ""  # the number of "Số: 125/BC-UBND", blank for a draft

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]

    def charts(self) -> list[Chart]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Chart)]


@dataclass
class Meta:
    """What the report needs besides the figures: the snapshot's cut-off and the office's details."""

    taken_at: datetime.datetime
    snapshot_id: int | None = None
    number: str = ""
    signer_name: str = ""
    signer_title: str = ""


# -- reading the figures ----------------------------------------------------------------------------------


class Figures:
    """Convenient access to a snapshot's figures."""

    def __init__(self, data: dict[str, Any]):
        self.data = data
        self.year: int = data["year"]
        self.previous = self.year - 1
        self.unit: dict[str, Any] = data["unit"]

    def v(self, code: str, year: int | None = None, part: str = "value") -> Decimal | None:
        by_year = self.data["values"].get(code)
        if by_year is None:
            return None
        cell = by_year.get(str(year or self.year))
        return None if cell is None else dec(cell.get(part))

    def n(self, code: str, year: int | None = None) -> int | None:
        return whole(self.v(code, year))

    def name(self, code: str) -> str:
        d = self.data["definitions"].get(code, {})
        return (d.get("name_en") if _english() else d.get("name_vi")) or code

    def unit_of(self, code: str) -> str:
        return self.data["definitions"].get(code, {}).get("unit", "count")

    def has(self, code: str) -> bool:
        return code in self.data["definitions"]


def _english() -> bool:
    return (get_language() or "vi").startswith("en")


def _label(item: dict[str, Any]) -> str:
    return (item.get("name_en") if _english() else item.get("name_vi")) or item.get("code", "")


def _change(now: Any, before: Any) -> str:
    """ "rose by 12", "fell by 3", "did not change"; "" when either is unknown."""
    a, b = dec(now), dec(before)
    if a is None or b is None:
        return ""
    diff = a - b
    if diff > 0:
        return _("rose by %(n)s") % {"n": fmt_int(diff) if diff == diff.to_integral() else fmt_dec(diff)}
    if diff < 0:
        return _("fell by %(n)s") % {"n": fmt_int(-diff) if diff == diff.to_integral() else fmt_dec(-diff)}
    return _("did not change")


def _growth(now: Any, before: Any) -> str:
    """ "up 4,20 %" / "down 1,50 %" on the year before; "" when unknown."""
    a, b = dec(now), dec(before)
    if a is None or not b:
        return ""
    rate = share(a - b, b)
    if rate is None:
        return ""
    if rate > 0:
        return _("up %(rate)s%%") % {"rate": fmt_dec(rate)}
    if rate < 0:
        return _("down %(rate)s%%") % {"rate": fmt_dec(-rate)}
    return pgettext("report", "unchanged")


def _points(now: Any, before: Any) -> str:
    """A change of a percentage, in percentage points ("up 2,50 points")."""
    a, b = dec(now), dec(before)
    if a is None or b is None or a == b:
        return ""
    if a > b:
        return _("up %(n)s percentage points") % {"n": fmt_dec(a - b)}
    return _("down %(n)s percentage points") % {"n": fmt_dec(b - a)}


def _or_no_data(text: str) -> str:
    return text if text and text != "–" else _("no data")


def nd_int(value: Any) -> str:
    """A whole number in a sentence, or "no data"."""
    return _or_no_data(fmt_int(value))


def nd_dec(value: Any) -> str:
    """A number with two decimals in a sentence, or "no data"."""
    return _or_no_data(fmt_dec(value))


def area_phrase(unit: dict[str, Any]) -> str:
    """ "the province" (toàn tỉnh), "the commune" (toàn xã) …, from the unit's type of division."""
    phrases = {
        "tỉnh": _("the whole province"),
        "thành phố trung ương": _("the whole city"),
        "thành phố": _("the whole city"),
        "huyện": _("the whole district"),
        "quận": _("the whole district"),
        "thị xã": _("the whole town"),
        "xã": _("the whole commune"),
        "phường": _("the whole ward"),
        "thị trấn": _("the whole township"),
        "đặc khu": _("the whole special zone"),
    }
    return phrases.get((unit.get("division_type") or "").lower(), unit.get("name", ""))


def in_sentence(unit: dict[str, Any]) -> str:
    """ "tỉnh Lai Châu", "xã Than Uyên": the unit's name with its type in lower case, inside a sentence."""
    name = unit.get("name", "")
    kind = unit.get("division_type") or ""
    if kind and name.lower().startswith(kind.lower()):
        return kind.lower() + name[len(kind) :]
    return name


def lower_first(text: str) -> str:
    """A name inside a list in a sentence: "Nông, lâm, ngư nghiệp" → "nông, lâm, ngư nghiệp"; acronyms stay."""
    if len(text) > 1 and text[:2].isupper():
        return text
    return text[:1].lower() + text[1:]


def place_name(unit: dict[str, Any]) -> str:
    """The place in the date line (địa danh): the province's name without "Tỉnh", "Thành phố"."""
    name = unit.get("province") or unit.get("name", "")
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def date_line(place: str, day: datetime.date) -> str:
    """ "Lai Châu, ngày 05 tháng 01 năm 2025": days below 10 and months below 3 take a leading zero
    (Nghị định 30/2020/NĐ-CP, Phụ lục I)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return _("%(place)s, %(day)s/%(month)s/%(year)s") % {
        "place": place,
        "day": f"{day.day:02d}",
        "month": month,
        "year": day.year,
    }


# -- sections --------------------------------------------------------------------------------------------


def section_organisations(f: Figures) -> list[Section]:
    y, p = f.year, f.previous
    s = Section("organisations", _("1. Collective organisations"), level=2)
    htx, htx_prev = f.n("htx-existing"), f.n("htx-existing", p)
    tht, tht_prev = f.n("report-tht-existing"), f.n("report-tht-existing", p)
    lhhtx = f.n("report-lhhtx-existing")
    s.say(
        _(
            "By 31/12/%(year)s, %(area)s had %(htx)s cooperatives (people's credit funds included), "
            "%(lhhtx)s unions of cooperatives and %(tht)s cooperative groups. On the end of %(previous)s, "
            "the number of cooperatives %(htx_change)s and that of cooperative groups %(tht_change)s."
        )
        % {
            "year": y,
            "area": area_phrase(f.unit),
            "htx": fmt_int(htx),
            "lhhtx": fmt_int(lhhtx),
            "tht": fmt_int(tht),
            "previous": p,
            "htx_change": _or_no_data(_change(htx, htx_prev)),
            "tht_change": _or_no_data(_change(tht, tht_prev)),
        }
    )
    s.say(
        _(
            "During %(year)s, %(htx)s cooperatives, %(lhhtx)s unions of cooperatives and %(tht)s cooperative "
            "groups were founded; %(htx_ended)s cooperatives, %(lhhtx_ended)s unions and %(tht_ended)s "
            "cooperative groups were dissolved or ceased to exist."
        )
        % {
            "year": y,
            "htx": fmt_int(f.v("htx-founded")),
            "lhhtx": fmt_int(f.v("lhhtx-founded")),
            "tht": fmt_int(f.v("tht-founded")),
            "htx_ended": fmt_int(f.v("htx-ended")),
            "lhhtx_ended": fmt_int(f.v("report-lhhtx-ended")),
            "tht_ended": fmt_int(f.v("report-tht-ended")),
        }
    )
    active = f.v("htx-active")
    s.say(
        _(
            "%(active)s cooperatives were operating at the end of the year (%(share)s%% of those existing); "
            "%(dormant)s were suspended, stopped without being dissolved or not operating at their "
            "registered address (existing only on paper)."
        )
        % {
            "active": fmt_int(active),
            "share": fmt_dec(share(active, htx)),
            "dormant": fmt_int(f.v("htx-dormant")),
        }
    )
    communes, communes_total = f.v("communes-with-htx"), f.v("communes-with-htx", part="denominator")
    if communes_total:
        s.say(
            _(
                "%(covered)s of %(total)s communes and wards (%(share)s%%) have an operating cooperative; "
                "%(members)s cooperatives (%(members_share)s%%) are members of the provincial cooperative union."
            )
            % {
                "covered": fmt_int(communes),
                "total": fmt_int(communes_total),
                "share": fmt_dec(f.v("communes-with-htx-share")),
                "members": fmt_int(f.v("union-members")),
                "members_share": fmt_dec(f.v("union-members-share")),
            }
        )
    table = Table(
        key=pgettext("report", "By kind"),
        title=_("Collective organisations by kind, %(year)s") % {"year": y},
        unit_note=_("Unit: organisations"),
        columns=[
            Column(_("Kind"), width=3.2),
            Column(_("End of %(year)s") % {"year": p}, "int", "sum"),
            Column(_("End of %(year)s") % {"year": y}, "int", "sum"),
            Column(pgettext("report", "Change"), "int", formula="diff:1:2"),
            Column(_("Founded in %(year)s") % {"year": y}, "int", "sum"),
            Column(_("Ended in %(year)s") % {"year": y}, "int", "sum"),
            Column(_("Operating at the end of %(year)s") % {"year": y}, "int", "sum", width=1.3),
        ],
        rows=[
            Row(
                [
                    _("Cooperatives (people's credit funds included)"),
                    htx_prev,
                    htx,
                    _diff(htx_prev, htx),
                    f.n("htx-founded"),
                    f.n("htx-ended"),
                    f.n("htx-active"),
                ]
            ),
            Row(
                [
                    _("Unions of cooperatives"),
                    f.n("report-lhhtx-existing", p),
                    lhhtx,
                    _diff(f.n("report-lhhtx-existing", p), lhhtx),
                    f.n("lhhtx-founded"),
                    f.n("report-lhhtx-ended"),
                    f.n("lhhtx-active"),
                ]
            ),
            Row(
                [
                    _("Cooperative groups"),
                    tht_prev,
                    tht,
                    _diff(tht_prev, tht),
                    f.n("tht-founded"),
                    f.n("report-tht-ended"),
                    f.n("tht-active"),
                ]
            ),
        ],
        total_label=pgettext("report", "Total"),
    )
    chart = Chart(
        key="trend",
        title=_("Cooperatives and cooperative groups at the end of each year"),
        kind="bar",
        labels=[str(year) for year in f.data["years"]],
        series=[
            (_("Cooperatives"), [f.n("htx-existing", year) for year in f.data["years"]]),
            (_("Cooperative groups"), [f.n("report-tht-existing", year) for year in f.data["years"]]),
        ],
    )
    s.blocks += [table, chart]
    return [s]


def _diff(before: Any, now: Any) -> Decimal | None:
    a, b = dec(before), dec(now)
    return None if a is None or b is None else b - a


def section_sectors(f: Figures) -> list[Section]:
    y, p = f.year, f.previous
    s = Section("sectors", _("2. Cooperatives by sector"), level=2)
    rows = []
    for sector in f.data["sectors"]:
        code = sector["code"]
        now, before = f.n(f"report-htx-existing-{code}"), f.n(f"report-htx-existing-{code}", p)
        if not now and not before:
            continue
        rows.append((_label(sector), before, now, f.n(f"report-htx-active-{code}")))
    total = f.n("htx-existing")
    if not rows:
        s.say(_("No cooperative existed at the end of %(year)s.") % {"year": y})
        return [s]
    ranked = sorted(rows, key=lambda r: (-(r[2] or 0), r[0]))
    parts = [
        _("%(sector)s %(n)s (%(share)s%%)")
        % {"sector": lower_first(label), "n": fmt_int(now), "share": fmt_dec(share(now, total))}
        for label, _before, now, _active in ranked
        if now
    ]
    s.say(
        _("By sector, at the end of %(year)s the cooperatives were: %(parts)s.")
        % {"year": y, "parts": "; ".join(parts)}
    )
    table = Table(
        key=pgettext("report", "By sector"),
        title=_("Cooperatives by sector, %(year)s") % {"year": y},
        unit_note=_("Unit: cooperatives"),
        columns=[
            Column(_("Sector"), width=3.0),
            Column(_("End of %(year)s") % {"year": p}, "int", "sum"),
            Column(_("End of %(year)s") % {"year": y}, "int", "sum"),
            Column(_("Share in %(year)s (%%)") % {"year": y}, "pct", formula="share:2"),
            Column(_("Of which operating"), "int", "sum"),
        ],
        rows=[Row([label, before, now, share(now, total), active]) for label, before, now, active in rows],
        total_label=pgettext("report", "Total"),
        checks={
            1: ("htx-existing", p, "value"),
            2: ("htx-existing", y, "value"),
            4: ("htx-active", y, "value"),
        },
    )
    chart = Chart(
        key="sectors",
        title=_("Cooperatives by sector at the end of %(year)s") % {"year": y},
        kind="hbar",
        labels=[r[0] for r in ranked if r[2]],
        series=[(_("Cooperatives"), [r[2] for r in ranked if r[2]])],
    )
    s.blocks += [table, chart]
    return [s]


def section_communes(f: Figures) -> list[Section]:
    children = f.data["children"]
    if not children:
        return []
    y = f.year
    s = Section("communes", _("3. Cooperatives and groups by administrative unit"), level=2)
    level = children[0].get("level")
    unit_word = _("District") if level == "district" else _("Commune, ward")

    def cell(child: dict[str, Any], code: str) -> int | None:
        item = child["values"].get(code)
        return None if item is None else whole(item.get("value"))

    codes = [
        "htx-existing",
        "htx-active",
        "htx-founded",
        "report-tht-existing",
        "tht-active",
        "htx-members",
        "htx-workers",
    ]
    rows = [Row([c["name"], *[cell(c, code) for code in codes]]) for c in children]
    # Organisations registered at the unit itself, not at one of its communes, still count in its total.
    rest = [
        None if f.n(code) is None else f.n(code) - sum(cell(c, code) or 0 for c in children) for code in codes
    ]
    if any(rest):
        rows.append(Row([_("Not assigned to a commune"), *[r or None for r in rest]]))
    ranked = sorted(children, key=lambda c: (-(cell(c, "htx-existing") or 0), c["name"]))
    top = [
        _("%(name)s (%(n)s)") % {"name": c["name"], "n": fmt_int(cell(c, "htx-existing"))}
        for c in ranked[:3]
        if cell(c, "htx-existing")
    ]
    without = [c["name"] for c in children if not cell(c, "htx-active")]
    if top:
        s.say(
            _("The units with the most cooperatives at the end of %(year)s: %(top)s.")
            % {"year": y, "top": ", ".join(top)}
        )
    if without:
        shown = without[:12]
        more = len(without) - len(shown)
        s.say(
            ngettext(
                "%(n)s unit has no operating cooperative: %(names)s%(more)s.",
                "%(n)s units have no operating cooperative: %(names)s%(more)s.",
                len(without),
            )
            % {
                "n": len(without),
                "names": ", ".join(shown),
                "more": (_(" and %(n)s more") % {"n": more}) if more else "",
            }
        )
    else:
        s.say(_("Every unit has an operating cooperative."))
    table = Table(
        key=pgettext("report", "By unit"),
        title=_("Cooperatives and cooperative groups by administrative unit, %(year)s") % {"year": y},
        unit_note=_("Unit: organisations; people"),
        columns=[
            Column(unit_word, width=2.6),
            Column(_("Cooperatives at the end of the year"), "int", "sum"),
            Column(_("Of which operating"), "int", "sum"),
            Column(_("Founded in the year"), "int", "sum"),
            Column(_("Cooperative groups"), "int", "sum"),
            Column(_("Of which operating"), "int", "sum"),
            Column(_("Members of cooperatives"), "int", "sum"),
            Column(_("Workers in cooperatives"), "int", "sum"),
        ],
        rows=rows,
        total_label=pgettext("report", "Total"),
        checks={
            1: ("htx-existing", y, "value"),
            2: ("htx-active", y, "value"),
            3: ("htx-founded", y, "value"),
            5: ("tht-active", y, "value"),
            6: ("htx-members", y, "value"),
            7: ("htx-workers", y, "value"),
        },
    )
    s.blocks.append(table)
    return [s]


PEOPLE_ROWS = [
    "htx-members",
    "htx-workers",
    "htx-income-member",
    "htx-income-worker",
    "htx-income",
    "tht-income",
    "htx-managers-trained",
    "htx-managers-trained-share",
    "htx-value-chain-share",
    "htx-high-technology-share",
    "htx-credit-access-share",
    "credit-bad-debt-ratio",
]


def section_people(f: Figures) -> list[Section]:
    y, p = f.year, f.previous
    s = Section("people", _("4. Members, workers and income"), level=2)
    returns = f.n("report-htx-returns")
    if not returns:
        s.say(
            _(
                "No yearly return of a cooperative has been approved for %(year)s: no data on members, workers and income."
            )
            % {"year": y}
        )
        return [s]
    s.say(
        ngettext(
            "The figures below add up the %(n)s yearly return of cooperatives for %(year)s approved by the cut-off.",
            "The figures below add up the %(n)s yearly returns of cooperatives for %(year)s approved by the cut-off.",
            returns,
        )
        % {"n": fmt_int(returns), "year": y}
    )
    members, members_prev = f.v("htx-members"), f.v("htx-members", p)
    s.say(
        _(
            "Cooperatives had %(members)s members (%(growth)s on %(previous)s, when they had %(members_prev)s) "
            "and %(workers)s regular workers (%(previous)s: %(workers_prev)s)."
        )
        % {
            "members": nd_int(members),
            "growth": _or_no_data(_growth(members, members_prev)),
            "previous": p,
            "members_prev": nd_int(members_prev),
            "workers": nd_int(f.v("htx-workers")),
            "workers_prev": nd_int(f.v("htx-workers", p)),
        }
    )
    s.say(
        _(
            "The average income of cooperative members reached %(member)s million VND per person per year "
            "(%(previous)s: %(member_prev)s); that of workers in cooperatives %(worker)s million VND; that of "
            "members and workers of cooperative groups %(tht)s million VND."
        )
        % {
            "member": nd_dec(f.v("htx-income-member")),
            "previous": p,
            "member_prev": nd_dec(f.v("htx-income-member", p)),
            "worker": nd_dec(f.v("htx-income-worker")),
            "tht": nd_dec(f.v("tht-income")),
        }
    )
    s.say(
        _(
            "%(trained)s cooperative managers were trained during the year (%(trained_share)s%% of managers); "
            "%(chain)s%% of cooperatives are linked with an enterprise in a value chain, %(tech)s%% apply high "
            "technology and %(credit)s%% had access to credit."
        )
        % {
            "trained": nd_int(f.v("htx-managers-trained")),
            "trained_share": nd_dec(f.v("htx-managers-trained-share")),
            "chain": nd_dec(f.v("htx-value-chain-share")),
            "tech": nd_dec(f.v("htx-high-technology-share")),
            "credit": nd_dec(f.v("htx-credit-access-share")),
        }
    )
    units = {
        "count": _("organisations"),
        "people": _("people"),
        "percent": "%",
        "million_vnd": _("million VND"),
        "million_vnd_per_person": _("million VND/person/year"),
    }
    rows = []
    for code in PEOPLE_ROWS:
        if not f.has(code):
            continue
        unit = f.unit_of(code)
        kind = "int" if unit in ("count", "people") else "dec"
        before, now = f.v(code, p), f.v(code)
        rows.append(
            Row(
                [f.name(code), units.get(unit, unit), before, now, _diff(before, now)],
                kinds=["text", "text", kind, kind, kind],
            )
        )
    table = Table(
        key=pgettext("report", "Main figures"),
        title=_("Members, workers, income and practices of cooperatives"),
        columns=[
            Column(_("Indicator"), width=3.6),
            Column(_("Unit"), width=1.3),
            Column(str(p), "dec"),
            Column(str(y), "dec"),
            Column(pgettext("report", "Change"), "dec", formula="diff:2:3"),
        ],
        rows=rows,
    )
    s.blocks.append(table)
    return [s]


def section_classification(f: Figures) -> list[Section]:
    y, p = f.year, f.previous
    s = Section("classification", _("5. Classification of cooperatives"), level=2)
    data = f.data.get("classification") or {}
    counts = {k: whole(v) or 0 for k, v in (data.get("counts") or {}).items()}
    total = sum(counts.values())
    if not total:
        s.say(_("No classification of cooperatives for %(year)s: no data.") % {"year": y})
        return [s]
    names = {"tot": _("Good"), "kha": _("Fair"), "trung_binh": _("Average"), "yeu": _("Weak")}
    if data.get("source") == "scores":
        source = _("According to the official scoring of %(n)s cooperatives") % {"n": fmt_int(total)}
    else:
        source = _(
            "According to the classification the cooperatives gave themselves in %(n)s approved yearly returns"
        ) % {"n": fmt_int(total)}
    s.say(
        _(
            "%(source)s, in %(year)s %(good)s cooperatives were rated good (%(good_share)s%%), %(fair)s fair "
            "(%(fair_share)s%%), %(average)s average (%(average_share)s%%) and %(weak)s weak (%(weak_share)s%%). "
            "Effective cooperatives (good or fair) were %(effective)s%% (%(previous)s: %(effective_prev)s%%)."
        )
        % {
            "source": source,
            "year": y,
            "good": fmt_int(counts.get("tot")),
            "good_share": fmt_dec(share(counts.get("tot"), total)),
            "fair": fmt_int(counts.get("kha")),
            "fair_share": fmt_dec(share(counts.get("kha"), total)),
            "average": fmt_int(counts.get("trung_binh")),
            "average_share": fmt_dec(share(counts.get("trung_binh"), total)),
            "weak": fmt_int(counts.get("yeu")),
            "weak_share": fmt_dec(share(counts.get("yeu"), total)),
            "effective": fmt_dec(share(counts.get("tot", 0) + counts.get("kha", 0), total)),
            "previous": p,
            "effective_prev": nd_dec(f.v("htx-effective-share", p)),
        }
    )
    unrated = (whole(data.get("returns")) or 0) - total
    if data.get("source") != "scores" and unrated > 0:
        s.say(
            ngettext(
                "%(n)s approved return gives no classification.",
                "%(n)s approved returns give no classification.",
                unrated,
            )
            % {"n": fmt_int(unrated)}
        )
    table = Table(
        key=pgettext("report", "Classification"),
        title=_("Classification of cooperatives, %(year)s") % {"year": y},
        unit_note=_("Unit: cooperatives"),
        columns=[
            Column(pgettext("report", "Class"), width=2.4),
            Column(_("Cooperatives"), "int", "sum"),
            Column(_("Share (%)"), "pct", formula="share:1"),
        ],
        rows=[Row([names[k], counts.get(k, 0), share(counts.get(k, 0), total)]) for k in names],
        total_label=pgettext("report", "Total"),
        checks={1: ("htx-effective-share", y, "denominator")} if data.get("source") != "scores" else {},
    )
    chart = Chart(
        key="classes",
        title=_("Classification of cooperatives, %(year)s") % {"year": y},
        kind="bar",
        labels=[names[k] for k in names],
        series=[(_("Cooperatives"), [counts.get(k, 0) for k in names])],
    )
    s.blocks += [table, chart]
    return [s]


STATUS_ORDER = ["achieved", "on_track", "at_risk", "off_track", "no_data"]


def _status_label(status: str) -> str:
    return {
        "achieved": _("Achieved"),
        "on_track": _("On track"),
        "at_risk": _("At risk"),
        "off_track": _("Off track"),
        "no_data": _("No data"),
    }.get(status, status)


def _target_text(t: dict[str, Any]) -> str:
    """ "≥ 20 cooperatives each year up to 2025", in plain words."""
    unit = {
        "count": "",
        "people": " " + _("people"),
        "percent": "%",
        "million_vnd": " " + _("million VND"),
        "million_vnd_per_person": " " + _("million VND/person/year"),
    }.get(t["unit"], "")
    decimals = t["unit"] not in ("count", "people")

    def num(x: Any) -> str:
        d = dec(x)
        if d is None:
            return "?"
        return fmt_int(d) if not decimals or d == d.to_integral() else fmt_dec(d)

    comparators = {">=": "≥", ">": ">", "=": "=", "<=": "≤", "<": "<"}
    if t.get("min") is not None:
        goal = f"{num(t['min'])}–{num(t['max'])}{unit}"
    else:
        goal = f"{comparators.get(t['comparator'], t['comparator'])} {num(t['value'])}{unit}"
    if t.get("cumulative_from"):
        return _("%(goal)s in total over %(start)s–%(year)s") % {
            "goal": goal,
            "start": t["cumulative_from"],
            "year": t["year"],
        }
    if t.get("each_year"):
        return _("%(goal)s each year up to %(year)s") % {"goal": goal, "year": t["year"]}
    return _("%(goal)s by %(year)s") % {"goal": goal, "year": t["year"]}


def _actual_text(t: dict[str, Any]) -> str:
    if t.get("actual") is None:
        return _("no data")
    value = fmt(t["actual"], t["unit"])
    unit = "%" if t["unit"] == "percent" else ""
    if t.get("cumulative_from"):
        return _("%(value)s%(unit)s in total since %(start)s") % {
            "value": value,
            "unit": unit,
            "start": t["cumulative_from"],
        }
    return _("%(value)s%(unit)s in %(year)s") % {"value": value, "unit": unit, "year": t["actual_year"]}


def _plan_label(plan: dict[str, Any]) -> str:
    if plan.get("number"):
        return _("Plan %(number)s of %(issuer)s") % {"number": plan["number"], "issuer": plan["issuer"]}
    return plan.get("title") or plan.get("slug", "")


def section_targets(f: Figures) -> list[Section]:
    y = f.year
    s = Section("targets", _("II. RESULTS AGAINST THE PLANS' TARGETS"))
    targets = f.data.get("targets") or []
    if not targets:
        s.say(_("No plan sets targets for this area in %(year)s: no data.") % {"year": y})
        return [s]
    counts = {k: sum(1 for t in targets if t["status"] == k) for k in STATUS_ORDER}
    plans = list(dict.fromkeys(_plan_label(t["plan"]) for t in targets))
    s.say(
        _(
            "In %(year)s the system follows %(n)s targets of %(plans)s, measured from the data: %(achieved)s "
            "achieved, %(on_track)s on track, %(at_risk)s at risk, %(off_track)s off track, and %(no_data)s "
            "that cannot be assessed yet for lack of data."
        )
        % {
            "year": y,
            "n": len(targets),
            "plans": "; ".join(plans),
            **{k: counts[k] for k in STATUS_ORDER},
        }
    )
    s.say(
        _(
            "“Achieved”: the latest value meets the target; “on track”: it does not yet, but the trend of the last "
            "years does by the target's year; “at risk”: the trend misses it narrowly; “off track”: otherwise."
        ),
        "note",
    )
    rows: list[Row] = []
    current_plan = None
    for number, t in enumerate(targets, 1):
        label = _plan_label(t["plan"])
        if label != current_plan:
            current_plan = label
            s.say(label, "subheading")
            rows.append(Row([label], group=True))
        name = t["name_en"] if _english() else t["name_vi"]
        status = lower_first(_status_label(t["status"]))
        projection = ""
        if t["status"] in ("on_track", "at_risk", "off_track") and t.get("projected") is not None:
            projection = _(" (projected for %(year)s: %(value)s)") % {
                "year": t["year"],
                "value": fmt(t["projected"], t["unit"]) + ("%" if t["unit"] == "percent" else ""),
            }
        s.say(
            _("%(name)s: target %(target)s; actual %(actual)s — %(status)s%(projection)s.")
            % {
                "name": name,
                "target": _target_text(t),
                "actual": _actual_text(t),
                "status": status,
                "projection": projection,
            },
            "bullet",
        )
        rows.append(Row([number, name, _target_text(t), _actual_text(t), _status_label(t["status"])]))
    table = Table(
        key=pgettext("report", "Targets"),
        title=_("Targets of the plans and their status in %(year)s") % {"year": y},
        columns=[
            Column(pgettext("report", "No."), width=0.65),
            Column(_("Indicator"), width=3.6),
            Column(_("Target"), width=2.0),
            Column(_("Actual"), width=1.7),
            Column(_("Status"), width=1.2),
        ],
        rows=rows,
    )
    s.blocks.append(table)
    return [s]


def _task_state(state: str) -> str:
    """A task's state in a year, as the report words it (the programme's board states)."""
    return {
        "done": pgettext("task", "Done"),
        "in_progress": pgettext("task", "In progress"),
        "not_started": pgettext("task", "Not started"),
        "late": pgettext("task", "Not reported (overdue)"),
        "due": pgettext("task", "Report not yet due"),
        "unassigned": pgettext("task", "No agency to report"),
        "not_due": pgettext("task", "Not in the time frame"),
    }.get(state, state)


def section_tasks(f: Figures) -> list[Section]:
    y = f.year
    s = Section("tasks", _("III. TASKS OF THE ACTION PROGRAMME"))
    data = f.data.get("tasks") or {}
    items = data.get("items") or []
    if not data.get("available") or not items:
        s.say(_("No task of the action programme is recorded for %(year)s: no data.") % {"year": y})
        return [s]
    by_state: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_state.setdefault(item["state"], []).append(item)
    behind = [i for i in items if i.get("late") and i["state"] != "late"]
    s.say(
        _(
            "In %(year)s, %(n)s tasks of the action programme were due: %(done)s done, %(in_progress)s in "
            "progress, %(not_started)s not started, and %(missing)s not reported by their lead agency although "
            "the deadline has passed."
        )
        % {
            "year": y,
            "n": len(items),
            "done": len(by_state.get("done", [])),
            "in_progress": len(by_state.get("in_progress", [])),
            "not_started": len(by_state.get("not_started", [])),
            "missing": len(by_state.get("late", [])),
        }
    )
    if by_state.get("late"):
        agencies: dict[str, int] = {}
        for item in by_state["late"]:
            agencies[item.get("agency") or "–"] = agencies.get(item.get("agency") or "–", 0) + 1
        s.say(
            _("Lead agencies that have not reported: %(list)s.")
            % {
                "list": "; ".join(
                    _("%(agency)s (%(n)s)") % {"agency": name, "n": n}
                    for name, n in sorted(agencies.items(), key=lambda a: (-a[1], a[0]))
                )
            }
        )
    if behind:
        s.say(
            ngettext(
                "%(n)s task whose time frame has ended is not done:",
                "%(n)s tasks whose time frame has ended are not done:",
                len(behind),
            )
            % {"n": len(behind)}
        )
        for item in behind[:15]:
            s.say(
                _("%(task)s (lead: %(agency)s; due: %(due)s) — late.")
                % {"task": item["name"], "agency": item.get("agency") or "–", "due": item.get("due") or "–"},
                "bullet",
            )
    rows = [
        Row(
            [
                item.get("ref") or str(n),
                item["name"],
                item.get("agency") or "–",
                item.get("due") or "–",
                _task_state(item["state"])
                + (
                    " – " + pgettext("report", "late") if item.get("late") and item["state"] != "late" else ""
                ),
            ]
        )
        for n, item in enumerate(items, 1)
    ]
    s.blocks.append(
        Table(
            key=pgettext("report", "Tasks"),
            title=_("Tasks of the action programme, %(year)s") % {"year": y},
            columns=[
                Column(pgettext("report", "No."), width=0.65),
                Column(pgettext("report", "Task"), width=4.0),
                Column(_("Lead agency"), width=1.8),
                Column(_("Time frame"), width=1.2),
                Column(_("Status"), width=1.4),
            ],
            rows=rows,
        )
    )
    return [s]


def _budget_source(line: dict[str, Any]) -> str:
    known = {
        "central": pgettext("budget source", "Central budget"),
        "provincial": pgettext("budget source", "Provincial budget"),
        "integrated": pgettext("budget source", "National target and public investment programmes"),
        "other": pgettext("budget source", "Other sources"),
    }
    return known.get(
        line.get("source"), (line.get("source_en") if _english() else line.get("source_vi")) or ""
    )


def section_budget(f: Figures) -> list[Section]:
    y = f.year
    s = Section("budget", _("IV. FUNDS FOR THE COLLECTIVE ECONOMY"))
    data = f.data.get("budget") or {}
    lines = data.get("lines") or []
    if not data.get("available") or not lines:
        s.say(_("No budget for the collective economy is recorded for %(year)s: no data.") % {"year": y})
        return [s]

    def total(key: str) -> Decimal | None:
        values = [dec(line.get(key)) for line in lines if dec(line.get(key)) is not None]
        return sum(values, Decimal(0)) if values else None

    if data.get("recorded"):
        allocated, disbursed = total("allocated"), total("disbursed")
        s.say(
            _(
                "In %(year)s, %(allocated)s million VND were allocated to the collective economy and %(disbursed)s "
                "million VND disbursed (%(rate)s%% of the allocation); the plans' lines in force provide "
                "%(planned)s million VND over their periods."
            )
            % {
                "year": y,
                "allocated": nd_dec(allocated),
                "disbursed": nd_dec(disbursed),
                "rate": nd_dec(share(disbursed, allocated)),
                "planned": nd_dec(total("planned")),
            }
        )
    else:
        s.say(
            _(
                "The plans provide %(planned)s million VND over their periods; no allocation or disbursement is "
                "recorded for %(year)s (no data)."
            )
            % {"planned": nd_dec(total("planned")), "year": y}
        )
    rows = [
        Row(
            [
                line["purpose"],
                _budget_source(line),
                line["period"],
                dec(line.get("planned")),
                dec(line.get("allocated")),
                dec(line.get("disbursed")),
                share(line.get("disbursed"), line.get("allocated")),
            ]
        )
        for line in lines
    ]
    s.blocks.append(
        Table(
            key=pgettext("report", "Budget"),
            title=_("Funds for the collective economy, %(year)s") % {"year": y},
            unit_note=_("Unit: million VND"),
            columns=[
                Column(_("Purpose"), width=2.5),
                Column(_("Source"), width=1.4),
                Column(_("Period"), width=1.25),
                Column(_("Planned for the period"), "dec", "sum", width=1.2),
                Column(_("Allocated in %(year)s") % {"year": y}, "dec", "sum", width=1.2),
                Column(_("Disbursed in %(year)s") % {"year": y}, "dec", "sum", width=1.2),
                Column(_("Disbursed / allocated (%)"), "pct", formula="rate:4:5", width=1.2),
            ],
            rows=rows,
            total_label=pgettext("report", "Total"),
        )
    )
    return [s]


def section_assessment(f: Figures) -> list[Section]:
    """A data-derived overall assessment: what went up, and what the figures point at."""
    y, p = f.year, f.previous
    s = Section("assessment", _("V. OVERALL ASSESSMENT"))
    good: list[str] = []
    bad: list[str] = []
    for code, label in (
        ("htx-existing", _("the number of cooperatives")),
        ("htx-members", _("the members of cooperatives")),
        ("htx-workers", _("the workers of cooperatives")),
        ("htx-income-member", _("the average income of members")),
        ("htx-effective-share", _("the share of effective cooperatives")),
    ):
        now, before = f.v(code), f.v(code, p)
        if now is None or before is None or now == before:
            continue
        if f.unit_of(code) == "percent":
            change = _points(now, before)
        else:
            change = _growth(now, before) or _change(now, before)
        (good if now > before else bad).append(_("%(what)s %(change)s") % {"what": label, "change": change})
    targets = f.data.get("targets") or []
    achieved = [t for t in targets if t["status"] == "achieved"]
    missing = [t for t in targets if t["status"] in ("off_track", "at_risk")]
    s.say(_("1. Results"), "subheading")
    if good:
        s.say(_("Compared with %(previous)s: %(list)s.") % {"previous": p, "list": "; ".join(good)})
    if targets:
        s.say(
            _("%(n)s of the %(total)s targets followed are achieved.")
            % {"n": len(achieved), "total": len(targets)}
        )
    if not good and not targets:
        s.say(_("No change to report on %(previous)s.") % {"previous": p})
    s.say(_("2. Shortcomings"), "subheading")
    if bad:
        s.say(_("Compared with %(previous)s: %(list)s.") % {"previous": p, "list": "; ".join(bad)})
    dormant = f.n("htx-dormant")
    if dormant:
        s.say(
            ngettext(
                "%(n)s cooperative exists only on paper and is to be consolidated or dissolved.",
                "%(n)s cooperatives exist only on paper and are to be consolidated or dissolved.",
                dormant,
            )
            % {"n": fmt_int(dormant)}
        )
    if missing:
        names = [lower_first(t["name_en"] if _english() else t["name_vi"]) for t in missing[:8]]
        s.say(_("Targets at risk or off track: %(list)s.") % {"list": "; ".join(names)})
        laggards = []
        for t in missing:
            for lag in t.get("laggards") or []:
                if lag["name"] not in laggards:
                    laggards.append(lag["name"])
        if laggards:
            s.say(
                _("The units that pull these results down most: %(list)s.")
                % {"list": ", ".join(laggards[:8])}
            )
    if not bad and not dormant and not missing:
        s.say(_("The figures show no shortcoming for %(year)s.") % {"year": y})
    return [s]


def _overview(f: Figures) -> list[Section]:
    return [Section("overview", _("I. THE COLLECTIVE ECONOMY IN %(year)s") % {"year": f.year})]


# The report's sections, in order: each a function of the figures returning its sections.
SECTIONS: list[Callable[[Figures], list[Section]]] = [
    _overview,
    section_organisations,
    section_sectors,
    section_communes,
    section_people,
    section_classification,
    section_targets,
    section_tasks,
    section_budget,
    section_assessment,
]


def recipients(unit: dict[str, Any]) -> list[str]:
    if unit.get("level") == "province":
        return [
            _("Ministry of Finance (for reporting)"),
            _("Vietnam Cooperative Alliance (for reporting)"),
            _("Standing Committee of the Provincial Party Committee (for reporting)"),
            _("Standing Committee of the Provincial People's Council (for reporting)"),
            _("Chairman and Vice-Chairmen of the Provincial People's Committee"),
            _("Provincial Cooperative Alliance"),
            _("Provincial departments, boards and agencies"),
            _("People's Committees of communes and wards"),
            _("Archive: Office"),
        ]
    return [
        _("Provincial People's Committee (for reporting)"),
        _("Department of Finance (for reporting)"),
        _("Provincial Cooperative Alliance"),
        _("Archive: Office"),
    ]


def build(data: dict[str, Any], meta: Meta) -> Report:
    """The report written from a snapshot's figures (in the active language)."""
    f = Figures(data)
    unit = f.unit
    sections: list[Section] = []
    for function in SECTIONS:
        sections += function(f)
    number = 0
    chart_number = 0
    for section in sections:
        for block in section.blocks:
            if isinstance(block, Table):
                number += 1
                block.number = number
            elif isinstance(block, Chart):
                chart_number += 1
                block.number = chart_number
    taken = meta.taken_at
    local = timezone.localtime(taken) if timezone.is_aware(taken) else taken
    issuer_lines = [_("PEOPLE'S COMMITTEE"), unit["name"].upper()]
    issuer = " ".join(issuer_lines)
    return Report(
        unit=unit,
        year=f.year,
        language=get_language() or "vi",
        issuer=issuer,
        issuer_lines=issuer_lines,
        number_line=_("No.: %(number)s/%(symbol)s")
        % {"number": meta.number or "\u2003\u2003\u2003", "symbol": SYMBOL},
        place_date=date_line(place_name(unit), local.date()),
        kind=_("REPORT"),
        subject=_("The development of the collective economy in %(year)s") % {"year": f.year},
        intro=[
            _(
                "The People's Committee of %(unit)s reports on the development of the collective economy in %(year)s, "
                "from the registry of collective organisations and the yearly returns approved by %(time)s on "
                "%(date)s, as follows:"
            )
            % {
                "unit": in_sentence(unit),
                "year": f.year,
                "time": local.strftime("%H:%M"),
                "date": local.strftime("%d/%m/%Y"),
            }
        ],
        sections=sections,
        closing=_(
            "This is the report of the People's Committee of %(unit)s on the collective economy in %(year)s./."
        )
        % {"unit": in_sentence(unit), "year": f.year},
        recipients=recipients(unit),
        signature=[
            _("ON BEHALF OF THE PEOPLE'S COMMITTEE"),
            _("FOR THE CHAIRMAN"),
            (meta.signer_title or _("VICE-CHAIRMAN")).upper(),
        ],
        signer_name=meta.signer_name,
        data_note=_("Data snapshot no. %(id)s, approved data as of %(time)s on %(date)s.")
        % {
            "id": meta.snapshot_id or "–",
            "time": local.strftime("%H:%M"),
            "date": local.strftime("%d/%m/%Y"),
        },
        snapshot_id=meta.snapshot_id,
        number=meta.number,
    )
