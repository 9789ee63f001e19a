#!/usr/bin/env bash
# Runs a command against a fresh emulator: builds nothing, starts
# target/debug/apivideo-emulator on 127.0.0.1 port 0 with a known API key,
# waits for its `listening on http://HOST:PORT` line, exports
# APIVIDEO_BASE_URL, APIVIDEO_API_KEY and APIVIDEO_EMULATOR_ADMIN_TOKEN (the
# token of its admin routes) to the command, and stops the
# emulator on exit whatever happens. The emulator's log goes to
# target/conformance/<name>-emulator.log.
#
# usage: conformance/with-emulator.sh NAME COMMAND [ARGS...]
set -euo pipefail
cd "$(dirname "$0")/.."

name=$1
shift
bin=${APIVIDEO_EMULATOR_BIN:-target/debug/apivideo-emulator}
if [[ ! -x $bin ]]; then
  echo "error: $bin is missing; run cargo build -p apivideo-emulator --locked" >&2
  exit 2
fi
logdir=target/conformance
mkdir -p "$logdir"
out=$logdir/$name-emulator.out
log=$logdir/$name-emulator.log
: >"$out"

export APIVIDEO_API_KEY=conformance-key-${name}-$$
# Not a secret worth hiding: a throwaway emulator on 127.0.0.1 for one run.
export APIVIDEO_EMULATOR_ADMIN_TOKEN=conformance-admin-${name}-$$-${RANDOM}${RANDOM}
pid=
stop() {
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
}
trap stop EXIT
trap 'exit 130' INT TERM

"$bin" --listen 127.0.0.1:0 --api-key "$APIVIDEO_API_KEY" \
  --admin-token "$APIVIDEO_EMULATOR_ADMIN_TOKEN" \
  --encoding-delay-ms "${APIVIDEO_ENCODING_DELAY_MS:-50}" \
  --complete-delay-ms "${APIVIDEO_COMPLETE_DELAY_MS:-50}" >"$out" 2>"$log" &
pid=$!

base=
for _ in $(seq 1 100); do
  base=$(sed -n 's/^listening on \(http:\/\/[^ ]*\)$/\1/p' "$out" | head -n 1)
  [[ -n $base ]] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "error: the emulator exited before listening; its log:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.1
done
if [[ -z $base ]]; then
  echo "error: the emulator did not print its address within 10s" >&2
  exit 1
fi
export APIVIDEO_BASE_URL=$base
echo "emulator for ${name} at ${base} (log: ${log})"

status=0
"$@" || status=$?
exit "$status"
