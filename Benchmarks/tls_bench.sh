#!/usr/bin/env bash
# What TLS costs the Kafka listener: librdkafka's rdkafka_performance (built by
# /work/shared/bench/peer-bench.sh build; RDKAFKA_PERFORMANCE=path) produces RECORDS x SIZE B
# records (acks=all, linger.ms=5) through a PLAINTEXT and an SSL listener of one `wharf serve`
# (release by default, --fsync interval:100, fresh data directory, loopback only), then consumes
# them back, RUNS times alternating. Certificates are made with openssl in a temp dir.
# Usage: Benchmarks/tls_bench.sh [RECORDS=1000000] [SIZE=100] [RUNS=3]   (WHARF=path to the binary)
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-1000000}
size=${2:-100}
runs=${3:-3}
wharf=${WHARF:-.build/release/wharf}
perf=${RDKAFKA_PERFORMANCE:-${PB_WORK:-/tmp/peerbench}/bin/rdkafka_performance}
work=$(mktemp -d /tmp/wharf-tlsbench.XXXXXX)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
ssl() { openssl "$@" 2>/dev/null; }
ssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=bench-ca -keyout "$work/ca-key.pem" -out "$work/ca.pem"
ssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout "$work/key.pem" -out "$work/server.csr"
echo "subjectAltName=IP:127.0.0.1" >"$work/san"
ssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca-key.pem" -CAcreateserial -days 1 \
  -extfile "$work/san" -out "$work/cert.pem"
"$wharf" serve --data "$work/data" --listen PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0 --fsync interval:100 \
  --tls-cert "$work/cert.pem" --tls-key "$work/key.pem" >"$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 100); do grep -q 'SSL://' "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
plain=$(grep -Eo 'PLAINTEXT://127\.0\.0\.1:[0-9]+' "$work/serve.out" | sed 's|PLAINTEXT://||')
tls=$(grep -Eo 'SSL://127\.0\.0\.1:[0-9]+' "$work/serve.out" | sed 's|SSL://||')
[ -n "$plain" ] && [ -n "$tls" ] || { echo "wharf serve did not start: $(cat "$work/serve.err")" >&2; exit 1; }
rate() { timeout 300 "$perf" "$@" 2>&1 | grep -Eo '[0-9]+ msgs/s' | tail -1 | awk '{print $1}'; }
for run in $(seq "$runs"); do
  for mode in PLAINTEXT SSL; do
    if [ "$mode" = SSL ]; then b=$tls; x=(-X security.protocol=ssl -X "ssl.ca.location=$work/ca.pem"); else b=$plain; x=(); fi
    t="bench-$mode-$run"
    p=$(rate -P -t "$t" -p 0 -b "$b" -s "$size" -c "$records" -a -1 -q -X linger.ms=5 "${x[@]}")
    c=$(rate -C -t "$t" -p 0 -b "$b" -o beginning -c "$records" -e -q "${x[@]}")
    echo "run $run $mode produce ${p:-FAILED} msg/s consume ${c:-FAILED} msg/s"
  done
done
awk -v hz="$(getconf CLK_TCK)" '{printf "wharf serve CPU: %.2f s user, %.2f s sys\n", $14/hz, $15/hz}' "/proc/$server/stat"
