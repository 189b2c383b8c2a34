"""The Vietnamese catalogue: complete, compiled, faithful to the placeholders, and what pages show.

Vietnamese is the default language and every msgid is English, so a msgid missing from the catalogue
shows English to a Vietnamese officer without anything failing. These tests make that fail: the
catalogue is extracted again from a copy of the sources and compared with the committed one.
`scripts/messages.sh` (`make messages`) brings it up to date; then translate what it added.
"""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIR = ROOT / "src" / "hoptac"
LOCALE_DIR = SOURCE_DIR / "locale"
PO_FILE = LOCALE_DIR / "vi" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")
MESSAGES_SCRIPT = ROOT / "scripts" / "messages.sh"

# The options of scripts/messages.sh: keep both in step (test_messages_script_extracts_as_this_test_does).
IGNORE = ["static/vendor", "tests", "migrations", "var"]
MAKEMESSAGES_OPTIONS = {"no_obsolete": True, "no_location": True, "no_wrap": True}


# --- a small .po reader ---------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    def __str__(self) -> str:
        ctx = f"[{self.msgctxt}] " if self.msgctxt is not None else ""
        return f"line {self.line}: {ctx}{self.msgid!r}"


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def _unquote(text: str) -> str:
    # A .po string is a C string literal; in the UTF-8 files makemessages writes, Python's literal
    # syntax reads it the same way (\" \\ \n \t).
    return ast.literal_eval(text)


def read_po(path: Path) -> list[Entry]:
    """Every entry, the header included (msgid ""); obsolete (#~) entries are counted as flags."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            entry, target = None, None
            continue
        if entry is None:
            entry = Entry(line=number)
            entries.append(entry)
        if line.startswith("#~"):
            entry.flags.add("obsolete")
        elif line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert target is not None, f"{path}:{number}: a string outside any keyword"
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] += _unquote(line)
            else:
                setattr(entry, name, (getattr(entry, name) or "") + _unquote(line))
        else:
            match = _KEYWORD.match(line)
            assert match, f"{path}:{number}: cannot read {raw!r}"
            keyword, index, text = match.groups()
            if keyword.startswith("msgstr"):
                target = ("msgstr", int(index or 0))
                entry.msgstr[target[1]] = _unquote(text)
            else:
                target = (keyword, 0)
                setattr(entry, keyword, _unquote(text))
    return entries


def messages(entries: list[Entry]) -> list[Entry]:
    """The entries without the header."""
    return [e for e in entries if not (e.msgid == "" and e.msgctxt is None)]


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    assert PO_FILE.is_file(), f"{PO_FILE} is missing: run scripts/messages.sh"
    return read_po(PO_FILE)


def test_the_app_reads_the_catalogue_these_tests_check():
    assert [Path(path).resolve() for path in settings.LOCALE_PATHS] == [LOCALE_DIR]
    assert settings.LANGUAGE_CODE == "vi"


# --- (a) every entry translated -------------------------------------------------------------------


def test_catalogue_header_declares_vietnamese_with_one_plural_form(catalogue):
    header = catalogue[0]
    assert header.msgid == "" and header.msgctxt is None, "the first entry must be the header"
    assert "fuzzy" not in header.flags, "remove the fuzzy flag of the header"
    assert "Language: vi\n" in header.msgstr[0]
    assert "Content-Type: text/plain; charset=UTF-8\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=1; plural=0;\n" in header.msgstr[0]


def test_catalogue_has_no_empty_fuzzy_or_obsolete_entry(catalogue):
    entries = messages(catalogue)
    assert len(entries) > 500  # the parser read the file, not a fragment of it
    fuzzy = [str(e) for e in entries if "fuzzy" in e.flags]
    obsolete = [str(e) for e in entries if "obsolete" in e.flags]
    empty = [str(e) for e in entries if not e.msgstr or any(not s.strip() for s in e.msgstr.values())]
    wrong_forms = [str(e) for e in entries if e.msgid_plural is not None and sorted(e.msgstr) != [0]]
    assert not fuzzy, "fuzzy entries (check the translation, then remove the flag):\n" + "\n".join(fuzzy)
    assert not obsolete, "obsolete entries (run scripts/messages.sh):\n" + "\n".join(obsolete)
    assert not empty, "untranslated entries:\n" + "\n".join(empty)
    assert not wrong_forms, "Vietnamese has one plural form, msgstr[0] only:\n" + "\n".join(wrong_forms)


def test_catalogue_has_no_duplicate_entry(catalogue):
    counts = Counter(e.key for e in messages(catalogue))
    assert not [key for key, n in counts.items() if n > 1]


# --- (b) every msgid of the code is in the catalogue ----------------------------------------------


def test_catalogue_holds_every_msgid_of_the_sources(catalogue, tmp_path, settings, monkeypatch):
    """Extract the msgids again from a copy of the sources and compare them with the committed ones."""
    if not shutil.which("xgettext"):
        if os.environ.get("CI"):
            pytest.fail("xgettext is missing in CI: apt-get install gettext")
        pytest.skip("xgettext is not installed (Debian package gettext)")
    copy = tmp_path / "hoptac"
    shutil.copytree(
        SOURCE_DIR,
        copy,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "locale", "vendor", "var"),
    )
    (copy / "locale").mkdir()
    # Only the copy's catalogue may be written: the committed one stays as it is.
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    committed_po = PO_FILE.read_bytes()
    call_command(
        "makemessages", locale=["vi"], ignore_patterns=list(IGNORE), verbosity=0, **MAKEMESSAGES_OPTIONS
    )
    assert PO_FILE.read_bytes() == committed_po

    extracted = {e.key for e in messages(read_po(copy / "locale" / "vi" / "LC_MESSAGES" / "django.po"))}
    committed = {e.key for e in messages(catalogue)}

    def show(keys):
        return "\n".join(f"  {ctx + ' | ' if ctx else ''}{msgid}" for ctx, msgid in sorted(keys, key=str))

    missing, stale = extracted - committed, committed - extracted
    assert not missing, (
        f"{len(missing)} msgid(s) of the code are not in {PO_FILE.name}: run scripts/messages.sh "
        "and translate them:\n" + show(missing)
    )
    assert not stale, f"{len(stale)} msgid(s) no longer in the code: run scripts/messages.sh\n" + show(stale)


def test_messages_script_extracts_as_this_test_does():
    script = MESSAGES_SCRIPT.read_text(encoding="utf-8")
    assert "makemessages -l vi --no-obsolete --no-location --no-wrap" in script
    for pattern in IGNORE:
        assert f"--ignore '{pattern}'" in script


# --- (c) the committed .mo is the .po compiled ----------------------------------------------------


def _po_catalog(entries: list[Entry]) -> dict:
    """What GNUTranslations reads from a .mo compiled from these entries."""
    catalog: dict = {}
    for e in entries:
        if "fuzzy" in e.flags or not all(e.msgstr.values()):
            continue  # msgfmt leaves these out (the test above fails on them)
        msgid = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        if e.msgid_plural is None:
            catalog[msgid] = e.msgstr[0]
        else:
            for index, text in e.msgstr.items():
                catalog[(msgid, index)] = text
    return catalog


def _mo_catalog(path: Path) -> dict:
    with path.open("rb") as f:
        return dict(gettext.GNUTranslations(f)._catalog)


def _without_creation_date(catalog: dict) -> dict:
    # msgfmt leaves the header's POT-Creation-Date out of the .mo.
    header = "".join(
        line for line in catalog.get("", "").splitlines(True) if not line.startswith("POT-Creation-Date:")
    )
    return {**catalog, "": header}


def test_compiled_catalogue_matches_the_po_file(catalogue, tmp_path):
    assert MO_FILE.is_file(), f"{MO_FILE} is missing: run scripts/messages.sh"
    committed = _mo_catalog(MO_FILE)
    assert _without_creation_date(committed) == _without_creation_date(_po_catalog(catalogue)), (
        "django.mo is out of date: run scripts/messages.sh"
    )
    if shutil.which("msgfmt"):
        # The check compilemessages makes: python-format strings agree between msgid and msgstr.
        fresh = tmp_path / "django.mo"
        subprocess.run(["msgfmt", "--check-format", "-o", fresh, PO_FILE], check=True, capture_output=True)
        assert _mo_catalog(fresh) == committed


# --- (d) placeholders and markup kept -------------------------------------------------------------

_PRINTF = re.compile(r"%(?:\([^)]*\))?[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
_BRACE = re.compile(r"\{[A-Za-z_]\w*(?:[.\[][^{}]*)?(?:![rsa])?(?::[^{}]*)?\}|\{\d*\}")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def placeholders(text: str) -> Counter:
    return Counter(_PRINTF.findall(text) + _BRACE.findall(text) + _TAG.findall(text))


def test_translations_keep_every_placeholder_and_tag(catalogue):
    wrong = []
    for e in messages(catalogue):
        if "fuzzy" in e.flags or not all(e.msgstr.values()):
            continue  # not used by gettext; test_catalogue_has_no_empty_fuzzy_or_obsolete_entry reports it
        wanted = placeholders(e.msgid)
        if e.msgid_plural is not None:
            # One Vietnamese form stands for both English ones; it needs what the plural needs.
            wanted = placeholders(e.msgid_plural)
        for index, text in e.msgstr.items():
            got = placeholders(text)
            if got != wanted:
                wrong.append(
                    f"{e} msgstr[{index}]: expected {sorted(wanted.elements())}, got {sorted(got.elements())}"
                )
    assert not wrong, "placeholders or tags differ:\n" + "\n".join(wrong)


def test_placeholder_pattern_sees_the_forms_the_code_uses():
    assert sorted(
        placeholders('%(a)s %% of %(seconds).1f s, %d, {name} <strong x="1">').elements()
    ) == sorted(["%(a)s", "%%", "%(seconds).1f", "%d", "{name}", '<strong x="1">'])


# --- (e) what a page shows ------------------------------------------------------------------------


@pytest.fixture
def province_client(people):
    client = Client()
    client.force_login(people.province)
    return client


def test_registry_page_is_vietnamese_by_default(province_client):
    html = province_client.get(reverse("registry:organisation-list")).content.decode()
    assert '<html lang="vi">' in html
    for text in ("Tổ chức kinh tế tập thể", "Sổ đăng ký", "Đăng xuất", "Mật khẩu", "Loại hình", "Tình trạng"):
        assert text in html, text
    for text in ("Log out", "Collective economic organisations", "All statuses"):
        assert text not in html, text


def test_registry_page_is_english_when_the_browser_asks_for_english(province_client):
    html = province_client.get(
        reverse("registry:organisation-list"), headers={"accept-language": "en"}
    ).content.decode()
    assert '<html lang="en">' in html
    for text in ("Collective economic organisations", "Registry", "Log out", "Password", "All statuses"):
        assert text in html, text
    assert "Đăng xuất" not in html


def test_language_cookie_turns_the_registry_page_english(province_client):
    province_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = province_client.get(reverse("registry:organisation-list")).content.decode()
    assert "Log out" in html and "Collective economic organisations" in html
    assert "Đăng xuất" not in html
