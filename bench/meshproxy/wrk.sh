#!/bin/sh
# Requests/s and latency of meshproxy on loopback with wrk (Debian package `wrk`), for
# bench/RESULTS.md. Usage: bench/meshproxy/wrk.sh [BUILD_DIR] (default build/release).
# Starts the loopback.yaml mesh with `meshproxy-harness --serve`, measures three paths (app
# alone, one proxy, a full mesh hop through two proxies) at 1 connection (latency) and 16
# connections (throughput), and stops the mesh again.
set -eu
build=${1:-build/release}
here=$(dirname "$0")
duration=${WRK_DURATION:-5s}
out=$(mktemp)
"$build/proxy/meshproxy-harness" "$here/loopback.yaml" --serve >"$out" &
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
run() {
  echo "== $1, $2 connection(s)"
  wrk -t1 -c"$2" -d"$duration" --latency -H "Host: echo" "http://$3/" |
    grep -E 'Requests/sec|^ +(50|90|99)%|Latency '
}
for connections in 1 16; do
  run "app alone" $connections "$app"
  run "one proxy (inbound)" $connections "$inbound"
  run "mesh hop (outbound + inbound)" $connections "$outbound"
done
