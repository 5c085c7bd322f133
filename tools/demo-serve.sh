#!/usr/bin/env bash
# Serve the demo: the background worker in the background, the web server in the foreground.
# The worker is stopped when the server stops (Ctrl+C). Usage: tools/demo-serve.sh [HOST:PORT]
set -euo pipefail
cd "$(dirname "$0")/.."
addr="${1:-127.0.0.1:8000}"
py=.venv/bin/python

"$py" manage.py worker &
worker=$!
stop_worker() {
  if kill -0 "$worker" 2>/dev/null; then
    kill -TERM "$worker" 2>/dev/null || true
    wait "$worker" 2>/dev/null || true
  fi
}
trap stop_worker EXIT
trap 'exit 0' INT  # Ctrl+C is how the demo is stopped
trap 'exit 143' TERM

echo
echo "演示地址:http://${addr}/  (Ctrl+C 停止;登录账号见上方)"
echo
"$py" manage.py runserver "$addr"
