#!/usr/bin/env bash
# Issue #6's listener benchmark with a compiled librdkafka client (Debian's librdkafka-dev):
# compiles Benchmarks/rdkafka_bench.c with gcc, starts `wharf serve` (release by default) on a
# free loopback port over a fresh data directory with --fsync interval:100, produces RECORDS
# records of SIZE bytes (acks=all, linger.ms=5) and consumes them back, prints the figures, and
# stops the server and removes the directory.
# Usage: Benchmarks/rdkafka_bench.sh [RECORDS=1000000] [SIZE=100]   (WHARF=path to the binary)
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-1000000}
size=${2:-100}
wharf=${WHARF:-.build/release/wharf}
work=$(mktemp -d /tmp/wharf-rdbench.XXXXXX)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
gcc -O2 -Wall -o "$work/rdkafka_bench" Benchmarks/rdkafka_bench.c -lrdkafka
"$wharf" serve --data "$work/data" --listen 127.0.0.1:0 --fsync interval:100 >"$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 100); do grep -q '127.0.0.1:' "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
port=$(grep -Eo '127\.0\.0\.1:[0-9]+' "$work/serve.out" | head -1 | cut -d: -f2)
[ -n "$port" ] || { echo "wharf serve did not start: $(cat "$work/serve.err")" >&2; exit 1; }
"$work/rdkafka_bench" "127.0.0.1:$port" bench "$records" "$size"
# The server's CPU time over the whole run (user+sys, clock ticks -> s), for "who is the limit".
awk -v hz="$(getconf CLK_TCK)" '{printf "wharf serve CPU: %.2f s user, %.2f s sys\n", $14/hz, $15/hz}' "/proc/$server/stat"
