#!/usr/bin/env bash
# Extract the Vietnamese catalogue and compile it.
#
#   scripts/messages.sh [BIN]          (make messages calls it; BIN defaults to .venv/bin)
#
# Every msgid in the code is English, so only `vi` has a catalogue: English is the msgids themselves.
# The catalogue lives in src/hoptac/locale (settings.LOCALE_PATHS), and the compiled django.mo is
# committed so that running the app never needs gettext; only this script (and the completeness test)
# need Debian's `gettext` package (xgettext, msgmerge, msgfmt).
#
# After running it: translate every new or changed entry in src/hoptac/locale/vi/LC_MESSAGES/django.po
# (no empty msgstr, no "fuzzy" flag left: tests/test_translations.py checks both), then run it again
# so that the .mo matches the .po.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${1:-$ROOT/.venv/bin}"
case "$BIN" in /*) ;; *) BIN="$ROOT/$BIN" ;; esac
HOPTAC="$BIN/hoptac"

if [[ ! -x "$HOPTAC" ]]; then
  echo "messages: $HOPTAC not found; run 'make install' first." >&2
  exit 1
fi
for tool in xgettext msgmerge msgfmt; do
  command -v "$tool" >/dev/null || { echo "messages: $tool not found; apt-get install gettext" >&2; exit 1; }
done

# settings.py puts the SQLite file under $PWD/var by default; running from src/hoptac must not create
# src/hoptac/var (it would also be walked for strings).
export HOPTAC_DATA_DIR="${HOPTAC_DATA_DIR:-$ROOT/var}"

cd "$ROOT/src/hoptac"
"$HOPTAC" makemessages -l vi --no-obsolete --no-location --no-wrap \
  --ignore 'static/vendor' --ignore 'tests' --ignore 'migrations' --ignore 'var'
"$HOPTAC" compilemessages -l vi
