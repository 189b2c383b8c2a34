"""The report as a PDF: an HTML page (templates/documents/annual_report.html) printed by WeasyPrint.

The fonts are the complete Liberation Serif files shipped in static/fonts (scripts/fonts.sh), named
by @font-face with absolute file URLs, so that no system font, web font or CDN is involved and every
Vietnamese letter prints.
"""

from __future__ import annotations

from pathlib import Path

from django.template.loader import render_to_string

from .content import Report
from .layout import Block, blocks

# Tables of at most this many rows are not split across pages.
KEEP_TOGETHER_ROWS = 14
FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"


def html(report: Report, report_blocks: list[Block] | None = None) -> str:
    """The report as an HTML page; charts are referred to as `report:chart-N` (see _Fetcher)."""
    items = report_blocks if report_blocks is not None else blocks(report)
    charts = 0
    for b in items:
        if b.kind == "table" and b.table is not None:
            b.extra["whole"] = len(b.table.rows) <= KEEP_TOGETHER_ROWS
            b.extra["widths"] = [f"{w * 100:.2f}" for w in b.table.widths]
            b.extra["rows"] = [
                {**row, "aligned": list(zip(row["cells"], b.table.align, strict=False))}
                for row in b.table.rows
            ]
        elif b.kind == "chart":
            charts += 1
            b.extra["src"] = f"report:chart-{charts}"
    return render_to_string(
        "documents/annual_report.html",
        {"report": report, "blocks": items, "fonts": FONT_DIR.as_uri()},
    )


def render(report: Report, report_blocks: list[Block] | None = None) -> bytes:
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    items = report_blocks if report_blocks is not None else blocks(report)
    page = html(report, items)
    images = {b.extra["src"]: b.png for b in items if b.kind == "chart"}
    document = HTML(string=page, base_url=FONT_DIR.as_uri() + "/", url_fetcher=_fetcher(images))
    return document.write_pdf(font_config=FontConfiguration())


def _fetcher(images: dict[str, bytes]):
    """Serves the charts from memory and the fonts from disk, and fetches nothing else: a report never
    reaches the network (no CDN, no web font), whatever its text holds. Charts travel as URLs rather
    than data: URIs, which would make the HTML parser read through hundreds of kilobytes of base64."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class Fetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url in images:
                return URLFetcherResponse(url, images[url], {"Content-Type": "image/png"})
            return super().fetch(url, headers)

    return Fetcher(allowed_protocols={"file", "report"})
