# serve.sh — shared by the hub's end-to-end tests: start `mamori serve` on a
# free port in the background and wait for its URL; stop it.
#   serve_start MAMORI OUT-DIR ARGS...   sets SERVE_PID and SERVE_URL
#   serve_stop                           SIGTERM, wait, expect exit 0
serve_start() {
  _bin=$1; _out=$2; shift 2
  # empty the files here: the child's own truncation may come after our first read
  : >"$_out/serve.out"; : >"$_out/serve.err"
  "$_bin" serve --port 0 "$@" >>"$_out/serve.out" 2>>"$_out/serve.err" &
  SERVE_PID=$!
  SERVE_URL=""
  for _i in $(seq 1 300); do
    SERVE_URL=$(grep -o 'https\?://[^ ]*/' "$_out/serve.out" 2>/dev/null | head -n 1 || true)
    [ -n "$SERVE_URL" ] && return 0
    kill -0 "$SERVE_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "serve did not start:" >&2
  cat "$_out/serve.out" "$_out/serve.err" >&2
  return 1
}

serve_stop() {
  [ -n "${SERVE_PID:-}" ] || return 0
  kill -TERM "$SERVE_PID" 2>/dev/null || true
  _rc=0
  wait "$SERVE_PID" || _rc=$?
  SERVE_PID=""
  return $_rc
}
