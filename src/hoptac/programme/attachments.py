"""What a task report may carry: PDF and office files, checked by extension AND content, size-limited.

The extension alone proves nothing (an .exe renamed .pdf), the content alone names no type the user
understands; both must agree. Office files are either OLE2 compound documents (.doc, .xls, .ppt),
Office Open XML zips (.docx, .xlsx, .pptx: a zip with [Content_Types].xml and the part folder of
their application) or OpenDocument zips (.odt, .ods, .odp: a zip whose `mimetype` member names them).
The limit is the setting HOPTAC_ATTACHMENT_MAX_MB.
"""

from __future__ import annotations

import zipfile
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

OLE2 = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP = b"PK\x03\x04"

# extension → (family, detail): detail is the part folder of an OOXML file or the mimetype of an ODF one.
ALLOWED: dict[str, tuple[str, str]] = {
    "pdf": ("pdf", ""),
    "doc": ("ole", ""),
    "xls": ("ole", ""),
    "ppt": ("ole", ""),
    "docx": ("ooxml", "word/"),
    "xlsx": ("ooxml", "xl/"),
    "pptx": ("ooxml", "ppt/"),
    "odt": ("odf", "application/vnd.oasis.opendocument.text"),
    "ods": ("odf", "application/vnd.oasis.opendocument.spreadsheet"),
    "odp": ("odf", "application/vnd.oasis.opendocument.presentation"),
}


def max_bytes() -> int:
    return int(settings.HOPTAC_ATTACHMENT_MAX_MB * 1024 * 1024)


def extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def limit_text() -> str:
    """The size limit in MB, as the active language writes numbers."""
    limit = settings.HOPTAC_ATTACHMENT_MAX_MB
    return number_format(int(limit) if limit == int(limit) else limit)


def _megabytes(size: int) -> str:
    return number_format(size / (1024 * 1024), 1)


def check_attachment(upload: IO[bytes], *, name: str, size: int) -> str:
    """The file's type (its extension) if it may be attached; else ValidationError naming the file and why."""
    ext = extension(name)
    if ext not in ALLOWED:
        raise ValidationError(
            _("“%(name)s”: only PDF and office files (%(types)s) may be attached."),
            code="type",
            params={"name": name, "types": ", ".join(f".{e}" for e in ALLOWED)},
        )
    if size == 0:
        raise ValidationError(_("“%(name)s” is empty."), code="empty", params={"name": name})
    if size > max_bytes():
        raise ValidationError(
            _("“%(name)s” is %(size)s MB; an attachment may be at most %(max)s MB."),
            code="size",
            params={"name": name, "size": _megabytes(size), "max": limit_text()},
        )
    if not _content_matches(upload, ext):
        raise ValidationError(
            _("“%(name)s” is not a real .%(ext)s file: its content does not match its extension."),
            code="content",
            params={"name": name, "ext": ext},
        )
    return ext


def _content_matches(upload: IO[bytes], ext: str) -> bool:
    family, detail = ALLOWED[ext]
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if family == "pdf":
        return head.startswith(b"%PDF-")
    if family == "ole":
        return head == OLE2
    if not head.startswith(ZIP):
        return False
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
            if family == "ooxml":
                return "[Content_Types].xml" in names and any(n.startswith(detail) for n in names)
            return (
                "mimetype" in names and archive.read("mimetype").decode("ascii", "replace").strip() == detail
            )
    except (zipfile.BadZipFile, OSError, KeyError):
        return False
    finally:
        upload.seek(0)
