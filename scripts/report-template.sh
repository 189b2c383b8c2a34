#!/usr/bin/env bash
# Write the default Word template of the annual report (python-docx), which is committed:
#   src/hoptac/documents/templates/documents/annual_report.docx
# Run it after changing hoptac/documents/docx_template.py; the same code writes the same bytes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${1:-$ROOT/.venv/bin}"
export HOPTAC_DATA_DIR="${HOPTAC_DATA_DIR:-$ROOT/var}"
"$BIN/hoptac" report template --out "$ROOT/src/hoptac/documents/templates/documents/annual_report.docx"
