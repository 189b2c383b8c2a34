"""The report's charts as PNG images, drawn with Pillow in the report's serif font.

Why Pillow: WeasyPrint already depends on it, so the charts cost no new dependency (matplotlib would
bring numpy and some 40 MB for three bar charts), and Word documents need raster images (python-docx
cannot insert SVG). The same PNG goes into the DOCX and the PDF, drawn at 220 dpi for the
width it is printed at, so it prints sharp. Labels use the shipped Liberation Serif, which holds every
Vietnamese letter; the text is normalised to NFC (precomposed letters) so that no tone mark depends on
the layout engine.
"""

from __future__ import annotations

import io
import unicodedata
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .content import Chart
from .numbers import dec, fmt_int

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"
WIDTH_MM = 160
DPI = 220  # sharp in print at 150-160 mm, and light for the PDF writer to re-encode
COLOURS = ["#1f4e79", "#c55a11", "#548235", "#7f6000"]
GRID = "#d9d9d9"
INK = "#000000"


@cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    name = "LiberationSerif-Bold.ttf" if bold else "LiberationSerif-Regular.ttf"
    return ImageFont.truetype(str(FONT_DIR / name), size)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _px(mm: float) -> int:
    return round(mm / 25.4 * DPI)


def _text_width(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont) -> int:
    left, _top, right, _bottom = draw.textbbox((0, 0), text, font=font)
    return right - left


def render(chart: Chart, *, width_mm: float = WIDTH_MM) -> bytes:
    """The chart as PNG bytes."""
    image = _hbar(chart, width_mm) if chart.kind == "hbar" else _bar(chart, width_mm)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(DPI, DPI), compress_level=6)
    return out.getvalue()


def _values(series: list) -> list[float]:
    return [float(dec(v)) if dec(v) is not None else 0.0 for v in series]


def _scale_max(top: float) -> float:
    """A round axis maximum above `top` (1, 2, 2.5, 5 × a power of ten)."""
    if top <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(top))) - 1)
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if top <= step * magnitude:
            return step * magnitude
    return 10.0 * magnitude


def _bar(chart: Chart, width_mm: float) -> Image.Image:
    width, height = _px(width_mm), _px(width_mm * 0.5)
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    small, label_font = _font(_px(3.2)), _font(_px(3.6))
    legend_h = _px(9) if len(chart.series) > 1 else 0
    left, right, top, bottom = _px(14), _px(4), _px(6) + legend_h, _px(10)
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = max((v for _name, values in chart.series for v in _values(values)), default=0.0)
    axis_max = _scale_max(top_value * 1.08)
    for i in range(6):  # grid and axis labels
        value = axis_max * i / 5
        y = top + plot_h - plot_h * i / 5
        draw.line([(left, y), (left + plot_w, y)], fill=GRID if i else INK, width=_px(0.25))
        text = fmt_int(round(value)) if axis_max >= 5 else f"{value:g}"
        draw.text((left - _px(1.5), y), text, font=small, fill=INK, anchor="rm")
    groups = len(chart.labels) or 1
    n_series = max(len(chart.series), 1)
    group_w = plot_w / groups
    bar_w = group_w * 0.7 / n_series
    for g, label in enumerate(chart.labels):
        x0 = left + g * group_w + group_w * 0.15
        for s, (_name, values) in enumerate(chart.series):
            value = _values(values)[g] if g < len(values) else 0.0
            h = plot_h * value / axis_max
            x = x0 + s * bar_w
            if h > 0:
                draw.rectangle(
                    [x, top + plot_h - h, x + bar_w * 0.92, top + plot_h], fill=COLOURS[s % len(COLOURS)]
                )
            raw = values[g] if g < len(values) else None
            if dec(raw) is not None:
                draw.text(
                    (x + bar_w * 0.46, top + plot_h - h - _px(1)),
                    fmt_int(raw),
                    font=small,
                    fill=INK,
                    anchor="md",
                )
        draw.text(
            (left + g * group_w + group_w / 2, top + plot_h + _px(2)),
            _nfc(label),
            font=label_font,
            fill=INK,
            anchor="ma",
        )
    if legend_h:
        x = left
        for s, (name, _series_values) in enumerate(chart.series):
            draw.rectangle([x, _px(2.5), x + _px(4), _px(5.5)], fill=COLOURS[s % len(COLOURS)])
            draw.text((x + _px(5.5), _px(4)), _nfc(name), font=label_font, fill=INK, anchor="lm")
            x += _px(10) + _text_width(draw, _nfc(name), label_font)
    return image


def _hbar(chart: Chart, width_mm: float) -> Image.Image:
    rows = len(chart.labels) or 1
    row_h = _px(7)
    width, height = _px(width_mm), _px(6) + rows * row_h
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    label_font, small = _font(_px(3.6)), _font(_px(3.2))
    labels = [_nfc(label) for label in chart.labels]
    label_w = min(max((_text_width(draw, t, label_font) for t in labels), default=0) + _px(3), width // 2)
    left, right, top = label_w, _px(14), _px(3)
    plot_w = width - left - right
    values = _values(chart.series[0][1]) if chart.series else []
    axis_max = _scale_max(max(values, default=0.0))
    for r, label in enumerate(labels):
        y = top + r * row_h
        draw.text((left - _px(2), y + row_h / 2), label, font=label_font, fill=INK, anchor="rm")
        w = plot_w * values[r] / axis_max if r < len(values) else 0
        if w > 0:
            draw.rectangle([left, y + row_h * 0.18, left + w, y + row_h * 0.82], fill=COLOURS[0])
        raw = chart.series[0][1][r] if chart.series else None
        draw.text((left + w + _px(1.5), y + row_h / 2), fmt_int(raw), font=small, fill=INK, anchor="lm")
    draw.line([(left, top), (left, top + rows * row_h)], fill=INK, width=_px(0.25))
    return image
