#!/usr/bin/env bash
# What TLS and SASL cost the Kafka listener: librdkafka's rdkafka_performance (built by
# /work/shared/bench/peer-bench.sh build; RDKAFKA_PERFORMANCE=path) produces RECORDS x SIZE B
# records (acks=all, linger.ms=5) through a PLAINTEXT, an SSL and a SASL_SSL (SCRAM-SHA-512)
# listener of one `wharf serve` (release by default, --fsync interval:100, fresh data directory,
# loopback only), then consumes them back, RUNS times interleaved. Certificates are made with
# openssl in a temp dir. MODES="PLAINTEXT SASL_SSL" picks the listeners measured.
# Usage: Benchmarks/tls_bench.sh [RECORDS=1000000] [SIZE=100] [RUNS=3]   (WHARF=path to the binary)
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-1000000}
size=${2:-100}
runs=${3:-3}
modes=${MODES:-PLAINTEXT SSL SASL_SSL}
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
mkdir -p "$work/data"
printf %s bench-pw | "$wharf" user add bench --mechanism SCRAM-SHA-512 --password-stdin --data "$work/data" >/dev/null
"$wharf" serve --data "$work/data" --listen PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0,SASL_SSL://127.0.0.1:0 --fsync interval:100 \
  --tls-cert "$work/cert.pem" --tls-key "$work/key.pem" >"$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 100); do grep -q 'SASL_SSL://' "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
port() { grep -Eo "(^|[ ,])$1://127\.0\.0\.1:[0-9]+" "$work/serve.out" | sed "s|.*$1://||"; }
plain=$(port PLAINTEXT); tls=$(port SSL); sasl=$(port SASL_SSL)
[ -n "$plain" ] && [ -n "$tls" ] && [ -n "$sasl" ] || { echo "wharf serve did not start: $(cat "$work/serve.err")" >&2; exit 1; }
rate() { timeout 300 "$perf" "$@" 2>&1 | grep -Eo '[0-9]+ msgs/s' | tail -1 | awk '{print $1}'; }
for run in $(seq "$runs"); do
  for mode in $modes; do
    case $mode in
      SSL) b=$tls; x=(-X security.protocol=ssl -X "ssl.ca.location=$work/ca.pem") ;;
      SASL_SSL) b=$sasl; x=(-X security.protocol=sasl_ssl -X "ssl.ca.location=$work/ca.pem" -X sasl.mechanisms=SCRAM-SHA-512
                            -X sasl.username=bench -X sasl.password=bench-pw) ;;
      *) b=$plain; x=() ;;
    esac
    t="bench-$mode-$run"
    p=$(rate -P -t "$t" -p 0 -b "$b" -s "$size" -c "$records" -a -1 -q -X linger.ms=5 "${x[@]}")
    c=$(rate -C -t "$t" -p 0 -b "$b" -o beginning -c "$records" -e -q "${x[@]}")
    echo "run $run $mode produce ${p:-FAILED} msg/s consume ${c:-FAILED} msg/s"
  done
done
awk -v hz="$(getconf CLK_TCK)" '{printf "wharf serve CPU: %.2f s user, %.2f s sys\n", $14/hz, $15/hz}' "/proc/$server/stat"
