#!/bin/sh
# Requests/s, latency and CPU per request of meshproxy on loopback with wrk (Debian package
# `wrk`), for bench/RESULTS.md. Usage: bench/meshproxy/wrk.sh [BUILD_DIR] (default build/release).
# Starts the loopback.yaml mesh with `meshproxy-harness --serve`, measures three paths (app
# alone, one proxy, a full mesh hop through two proxies) at 1 connection (latency) and 16
# connections (throughput), reports the two proxies' CPU time per request over the mesh-hop run
# at 16 connections, and stops the mesh again.
set -eu
if ! command -v wrk >/dev/null; then
  echo "wrk.sh: wrk is not installed; install it with: sudo apt-get install -y wrk" >&2
  exit 2
fi
build=${1:-build/release}
if [ ! -x "$build/proxy/meshproxy-harness" ]; then
  echo "wrk.sh: $build/proxy/meshproxy-harness not found; build first: bash tools/run.sh" >&2
  exit 2
fi
here=$(dirname "$0")
duration=${WRK_DURATION:-5s}
out=$(mktemp)
"$build/proxy/meshproxy-harness" "$here/loopback.yaml" --serve >"$out" 2>/dev/null &
harness=$!
trap 'kill -TERM $harness 2>/dev/null; wait $harness 2>/dev/null; rm -f "$out"' EXIT
while ! grep -q '^serving' "$out"; do
  kill -0 $harness || exit 1
  sleep 0.1
done
field() { sed -n "s/^pod $1 .*$2=\([^ ]*\).*/\1/p" "$out"; }
app=$(field echo-v1-0 app)
inbound=$(field echo-v1-0 inbound)
outbound=$(field caller-v1-0 outbound)
# utime + stime of a process, in clock ticks.
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
run() {
  echo "== $1, $2 connection(s)"
  wrk -t1 -c"$2" -d"$duration" --latency -H "Host: echo" "http://$3/" >"$out.wrk"
  grep -E 'Requests/sec|^ +(50|90|99)%|Latency |requests in|Non-2xx|Socket errors' "$out.wrk"
}
for connections in 1 16; do
  run "app alone" $connections "$app"
  run "one proxy (inbound)" $connections "$inbound"
  caller_pid=$(field caller-v1-0 proxy_pid)
  echo_pid=$(field echo-v1-0 proxy_pid)
  before=$(($(ticks "$caller_pid") + $(ticks "$echo_pid")))
  run "mesh hop (outbound + inbound)" $connections "$outbound"
  after=$(($(ticks "$caller_pid") + $(ticks "$echo_pid")))
  requests=$(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' "$out.wrk")
  hz=$(getconf CLK_TCK)
  echo "   CPU per request per proxy: $(( (after - before) * 1000000 / hz / requests / 2 )) us" \
    "($((after - before)) ticks at $hz Hz, $requests requests, 2 proxies)"
done
rm -f "$out.wrk"
