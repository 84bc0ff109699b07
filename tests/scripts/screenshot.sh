#!/usr/bin/env bash
# Takes a screenshot of the real app on the demo tenant under Xvfb.
# Usage: tests/scripts/screenshot.sh [output.png] [binary]
set -euo pipefail
out="${1:-docs/plans-page.png}"
bin="${2:-target/debug/licensedesk}"
wait_s="${SCREENSHOT_WAIT:-10}"
mkdir -p "$(dirname "$out")"
[ -x "$bin" ] || { echo "no app binary at $bin: run 'make app' first" >&2; exit 2; }
xvfb-run -a -s "-screen 0 1280x800x24" bash -c '
  set -e
  export GDK_BACKEND=x11 WEBKIT_DISABLE_DMABUF_RENDERER=1 WEBKIT_DISABLE_COMPOSITING_MODE=1 LIBGL_ALWAYS_SOFTWARE=1
  "$1" & app=$!
  sleep "$3"
  import -window root "$2"
  kill $app; wait $app 2>/dev/null || true
' _ "$bin" "$out" "$wait_s"
echo "saved $out"
