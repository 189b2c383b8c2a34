#!/usr/bin/env bash
# Ship the serif font of the reports' PDFs into src/hoptac/static/fonts/, from Debian's fonts-liberation2.
#
# Why these files: Nghị định 30/2020/NĐ-CP asks for Times New Roman; Liberation Serif 2.x has the
# same metrics (a page breaks where it would in Times New Roman) and, unlike Debian's older
# fonts-liberation 1.07 that the machine may also have, every Vietnamese letter (Ơ ơ Ư ư and the
# 134 precomposed letters with tone marks). The files are the complete fonts, not unicode-range
# subsets (subsets split across @font-face rules garble Vietnamese in PDFs). WeasyPrint embeds in
# each PDF only the glyphs it uses. No CDN: the PDF renderer reads these files from disk.
#
# Run by hand (`make fonts`) when the version changes; the output is committed. Licence: SIL Open
# Font License 1.1 (copied next to the fonts, as the licence requires).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/src/hoptac/static/fonts"
PACKAGE="fonts-liberation2"
SRC="/usr/share/fonts/truetype/liberation2"
FILES=(LiberationSerif-Regular.ttf LiberationSerif-Bold.ttf LiberationSerif-Italic.ttf LiberationSerif-BoldItalic.ttf)

if [[ ! -f "$SRC/${FILES[0]}" ]]; then
  echo "fonts: installing the Debian package $PACKAGE"
  if [[ $(id -u) -eq 0 ]]; then
    apt-get install -y -q --no-install-recommends "$PACKAGE"
  else
    sudo -n apt-get install -y -q --no-install-recommends "$PACKAGE"
  fi
fi

mkdir -p "$DEST"
for f in "${FILES[@]}"; do
  install -m 0644 "$SRC/$f" "$DEST/$f"
done
# The licence text, from the package's copyright file (its SIL-OFL-1.1 paragraph, without Debian's dots).
awk '/^License: SIL-OFL-1.1/{on=1; next} on && /^Files:/{exit} on' "/usr/share/doc/$PACKAGE/copyright" \
  | sed -e 's/^ //' -e 's/^\.$//' > "$DEST/LICENSE-OFL.txt"
grep -m1 -A3 '^Copyright:' "/usr/share/doc/$PACKAGE/copyright" | sed 's/^ //' > "$DEST/COPYRIGHT.txt"
{
  echo "Liberation Serif $(dpkg-query -W -f='${Version}' "$PACKAGE" 2>/dev/null || echo unknown) (Debian package $PACKAGE)"
  echo "Licence: SIL Open Font License 1.1 (LICENSE-OFL.txt)"
  (cd "$DEST" && sha256sum "${FILES[@]}")
} > "$DEST/VERSIONS.txt"

# Every Vietnamese letter must be in every file (fontTools comes with WeasyPrint).
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
"$PYTHON" - "$DEST" "${FILES[@]}" <<'PY'
import sys
from pathlib import Path
from fontTools.ttLib import TTFont

letters = "ĂăÂâĐđÊêÔôƠơƯư" + "".join(
    chr(c) for c in range(0x1EA0, 0x1EFA)
) + "ÀÁÃÈÉÌÍÒÓÕÙÚÝàáãèéìíòóõùúý"
dest = Path(sys.argv[1])
for name in sys.argv[2:]:
    cmap = TTFont(dest / name).getBestCmap()
    missing = [ch for ch in letters if ord(ch) not in cmap]
    if missing:
        sys.exit(f"fonts: {name} lacks {''.join(missing)}")
print(f"fonts: {len(sys.argv) - 2} files in {dest}, every Vietnamese letter present")
PY
