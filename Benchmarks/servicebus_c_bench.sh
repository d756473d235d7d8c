#!/usr/bin/env bash
# Issue 15's Service Bus listener benchmark with a compiled AMQP 1.0 client: compiles
# Benchmarks/servicebus_c_bench.c with gcc against Debian's C qpid-proton (libqpid-proton11-dev)
# and OpenSSL's libcrypto (the SAS token's HMAC), creates the queue `bench` in a fresh data
# directory, starts `wharf serve` (release by default) with the AMQP listener on a free loopback
# port, runs the phases, prints the figures and the server's CPU time, then stops the server and
# removes the directory.
# Usage: Benchmarks/servicebus_c_bench.sh [COUNT=100000] [RATE=1000] [SECONDS=10] [PHASES=send,receive,latency]
# (WHARF=path to the binary, FSYNC=the --fsync policy, default interval:1000 as `wharf serve`;
# WINDOW=unsettled sends per sender, default 1000, 1 = an SDK awaiting each send; PREFETCH=the
# receiver's credit, default 1000; SENDERS=N / RECEIVERS=N run the send / receive phase as N
# clients at once, each sending COUNT / receiving its share, and print their total rate;
# SUBSCRIPTIONS=N sends to a topic `bench` with N subscriptions (every message to each) and
# receives from its first subscription, instead of the queue `bench`; QUEUES=N, with PHASES=send,
# sends to N queues `bench1`..`benchN` instead, sender i to queue i mod N)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-100000}
rate=${2:-1000}
seconds=${3:-10}
phases=${4:-send,receive,latency}
wharf=${WHARF:-.build/release/wharf}
fsync=${FSYNC:-interval:1000}
work=$(mktemp -d /tmp/wharf-sbbench.XXXXXX)
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
[ -e /usr/include/proton/proactor.h ] || { echo "needs the C qpid-proton headers: apt-get install libqpid-proton11-dev" >&2; exit 1; }
gcc -O2 -Wall -o "$work/servicebus_c_bench" Benchmarks/servicebus_c_bench.c -lqpid-proton -lcrypto
amqp_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
subscriptions=${SUBSCRIPTIONS:-0}
queues=${QUEUES:-0}
send_to=bench receive_from=bench
if [ "$queues" -gt 0 ]; then
    [ "$phases" = send ] || { echo "QUEUES=N runs the send phase only (PHASES=send)" >&2; exit 2; }
    for i in $(seq "$queues"); do "$wharf" queue create "bench$i" --data "$work/data" >/dev/null; done
elif [ "$subscriptions" -gt 0 ]; then
    "$wharf" servicebus topic create bench --data "$work/data" >/dev/null
    for i in $(seq "$subscriptions"); do "$wharf" servicebus subscription create bench "s$i" --data "$work/data" >/dev/null; done
    receive_from=bench/Subscriptions/s1
else
    "$wharf" queue create bench --data "$work/data" >/dev/null
fi
connection=$("$wharf" servicebus connection-string --data "$work/data" --amqp-listen "127.0.0.1:$amqp_port")
key_name=$(sed -E 's/.*SharedAccessKeyName=([^;]*).*/\1/' <<<"$connection")
key=$(sed -E 's/.*SharedAccessKey=([^;]*).*/\1/' <<<"$connection")
"$wharf" serve --data "$work/data" --listen 127.0.0.1:0 --amqp-listen "127.0.0.1:$amqp_port" --fsync "$fsync" \
    >"$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 100); do grep -q "127.0.0.1:$amqp_port" "$work/serve.out" "$work/serve.err" 2>/dev/null && break; sleep 0.1; done
echo "load before: $(uptime | sed 's/.*load average/load average/')"
senders=${SENDERS:-1}
receivers=${RECEIVERS:-1}
# The entity a phase's client uses. The latency phase sends and receives on one address, so it
# runs against the queue only.
entity() {
    case $1 in
        send) echo "$send_to" ;;
        receive) echo "$receive_from" ;;
        *) [ "$subscriptions" -eq 0 ] || { echo "the $1 phase runs against the queue only (SUBSCRIPTIONS=0)" >&2; exit 2; }
           echo bench ;;
    esac
}
# Runs `clients` clients of `phase` at once, `each` messages each; prints their total rate.
run_clients() {
    local phase=$1 clients=$2 each=$3 started ended i pids=()
    started=$(date +%s.%N)
    for i in $(seq "$clients"); do
        local to; to=$(entity "$phase")
        [ "$queues" -gt 0 ] && to=bench$(( (i - 1) % queues + 1 ))
        "$work/servicebus_c_bench" "127.0.0.1:$amqp_port" "$key_name" "$key" "$to" "$phase" "$each" >"$work/$phase.$i" &
        pids+=($!)
    done
    wait "${pids[@]}"
    ended=$(date +%s.%N)
    awk -v p="$phase" -v n="$clients" -v c="$each" -v a="$started" -v b="$ended" \
        'BEGIN {printf "%-8s %d clients x %d messages in %.2f s: %.0f msg/s in all\n", p, n, c, b - a, n * c / (b - a)}'
}
for phase in ${phases//,/ }; do
    if [ "$phase" = send ] && { [ "$senders" -gt 1 ] || [ "$queues" -gt 0 ]; }; then
        run_clients send "$senders" "$count"
        count=$((count * senders))  # what a receive phase after it finds
    elif [ "$phase" = receive ] && [ "$receivers" -gt 1 ]; then
        run_clients receive "$receivers" $((count / receivers))
    else
        "$work/servicebus_c_bench" "127.0.0.1:$amqp_port" "$key_name" "$key" "$(entity "$phase")" "$phase" "$count" "$rate" "$seconds"
    fi
done
echo "load after: $(uptime | sed 's/.*load average/load average/')"
# The server's CPU time over the whole run (user+sys, clock ticks -> s), for "who is the limit".
awk -v hz="$(getconf CLK_TCK)" '{printf "wharf serve CPU: %.2f s user, %.2f s sys\n", $14/hz, $15/hz}' "/proc/$server/stat"
