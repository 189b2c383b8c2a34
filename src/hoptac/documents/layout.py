"""The report as a flat list of printable blocks, shared by the DOCX and PDF renderers.

Headings, paragraphs, tables (cells written the Vietnamese way, the total row computed) and charts
(PNG), in reading order. The workbook reads the Report's tables directly, to write numbers and
formulas rather than text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import charts
from .content import Chart, Paragraph, Report, Table
from .numbers import DASH, fmt_dec, fmt_int


@dataclass
class TableView:
    caption: str
    unit_note: str
    header: list[str]
    rows: list[dict[str, Any]]  # {"cells": [...], "group": bool, "total": bool}
    widths: list[float]  # fractions of the text width, adding up to 1
    align: list[str]  # "left" / "center" / "right" per column


@dataclass
class Block:
    kind: str  # heading1, heading2, paragraph, bullet, subheading, note, table, chart
    text: str = ""
    table: TableView | None = None
    png: bytes = b""
    caption: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def cell_text(value: Any, kind: str) -> str:
    if value is None:
        return DASH
    if kind == "int":
        return fmt_int(value)
    if kind in ("dec", "pct"):
        return fmt_dec(value)
    return str(value)


def table_view(table: Table) -> TableView:
    total_width = sum(c.width for c in table.columns)
    rows: list[dict[str, Any]] = []
    for row in table.rows:
        if row.group:
            rows.append({"cells": [str(row.cells[0])], "group": True, "total": False})
            continue
        rows.append(
            {
                "cells": [
                    cell_text(v, row.kind(c, i))
                    for i, (c, v) in enumerate(zip(table.columns, row.cells, strict=True))
                ],
                "group": False,
                "total": False,
            }
        )
    total = table.total_row()
    if total is not None:
        cells = [
            cell_text(v, c.kind) if i else str(v)
            for i, (c, v) in enumerate(zip(table.columns, total, strict=True))
        ]
        cells = [
            ("" if c.kind == "text" and i else text)
            for i, (c, text) in enumerate(zip(table.columns, cells, strict=True))
        ]
        rows.append({"cells": cells, "group": False, "total": True})
    return TableView(
        caption=table.caption,
        unit_note=table.unit_note,
        header=[c.label for c in table.columns],
        rows=rows,
        widths=[c.width / total_width for c in table.columns],
        align=[
            "left" if c.kind == "text" and c.width > 1 else ("center" if c.kind == "text" else "right")
            for c in table.columns
        ],
    )


def blocks(report: Report) -> list[Block]:
    out: list[Block] = []
    for section in report.sections:
        out.append(Block("heading1" if section.level == 1 else "heading2", section.heading))
        for block in section.blocks:
            if isinstance(block, Paragraph):
                out.append(Block(block.style if block.style != "body" else "paragraph", block.text))
            elif isinstance(block, Table):
                out.append(Block("table", table=table_view(block), caption=block.caption))
            elif isinstance(block, Chart):
                out.append(Block("chart", png=charts.render(block), caption=block.caption))
    return out
