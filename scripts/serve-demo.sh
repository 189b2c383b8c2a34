#!/usr/bin/env bash
# Serve the demo: the task worker in the background, the web server in the foreground.
#
#   scripts/serve-demo.sh BIN HOST PORT      (make demo calls it after `hoptac migrate` and `hoptac demo`)
#
# BIN is the virtualenv's bin directory. Ctrl-C stops the server, and the trap stops the worker with it.
# The development server is fine for a demo; production runs gunicorn (see docs/operations.md).
set -euo pipefail

BIN="${1:-.venv/bin}"
HOST="${2:-127.0.0.1}"
PORT="${3:-8000}"
HOPTAC="$BIN/hoptac"

if [[ ! -x "$HOPTAC" ]]; then
  echo "serve-demo: $HOPTAC not found; run 'make demo' (or 'make install') first." >&2
  exit 1
fi

# WhiteNoise warns at every start when STATIC_ROOT is missing; the demo serves through the finders,
# so an empty directory (where settings.py puts it by default) is all it needs.
mkdir -p "${STATIC_ROOT:-${HOPTAC_DATA_DIR:-var}/static}"

WORKER_PID=""
SERVER_PID=""
cleanup() {
  for pid in $SERVER_PID $WORKER_PID; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in $SERVER_PID $WORKER_PID; do
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Background tasks (imports, exports, reports) run in django-tasks-db's worker, on every queue.
"$HOPTAC" db_worker --queue-name '*' --no-reload -v 0 &
WORKER_PID=$!

"$HOPTAC" demo --logins-only
echo
echo "hoptac demo: http://$HOST:$PORT/  (admin site: http://$HOST:$PORT/admin/; Ctrl-C stops the server)"
echo

# In the background and waited for, so that Ctrl-C or a TERM reaches the traps at once (a foreground
# child would delay them) and both processes stop together.
"$HOPTAC" runserver "$HOST:$PORT" --noreload &
SERVER_PID=$!
wait "$SERVER_PID"
