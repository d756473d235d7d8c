#!/usr/bin/env bash
# Runs librdkafka's own integration suite (tests/ of its source) against `wharf serve`, one fresh
# broker per test. Issue 19.
#
#   Tools/librdkafka-suite/run.sh [TEST-NUMBER...]
#
# Environment:
#   WHARF_BIN            the wharf binary (default: .build/debug/wharf of this repo)
#   LIBRDKAFKA_SRC       a librdkafka source tree to use (default: `apt-get source librdkafka`,
#                        2.0.2 on Debian 12, fetched into $SUITE_WORK; needs deb-src, see .ci/run)
#   SUITE_WORK           where the source is fetched and built (default /tmp/wharf-rdkafka-suite)
#   TEST_KAFKA_VERSION   the broker version the suite assumes (default 2.1.0: the framework then
#                        skips tests that need newer brokers, as issue 19 says)
#   SUITE_TIMEOUT        seconds one test may run (default 300)
#
#   SUITE_FULL=1         the full suite instead of quick mode (-Q; quick mode skips 0082, for one)
#
# librdkafka's code is never committed here: it is fetched and built at run time.
# Prints one line per test and the counts; exits 1 if a test that is not excluded failed.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=${SUITE_WORK:-/tmp/wharf-rdkafka-suite}
wharf=${WHARF_BIN:-$repo/.build/debug/wharf}
export TEST_KAFKA_VERSION=${TEST_KAFKA_VERSION:-2.1.0}
timeout_s=${SUITE_TIMEOUT:-300}
mkdir -p "$work"

[ -x "$wharf" ] || { echo "no wharf binary at $wharf (build first or set WHARF_BIN)" >&2; exit 2; }

# 1. The source.
if [ -n "${LIBRDKAFKA_SRC:-}" ]; then
    src=$LIBRDKAFKA_SRC
else
    src=$(ls -d "$work"/librdkafka-*/ 2>/dev/null | head -1)
    if [ -z "$src" ]; then
        (cd "$work" && apt-get source -qq librdkafka >/dev/null) || { echo "apt-get source librdkafka failed (deb-src enabled?)" >&2; exit 2; }
        src=$(ls -d "$work"/librdkafka-*/ | head -1)
    fi
fi
src=${src%/}

# 2. The library and the test runner (built once per source tree).
if [ ! -x "$src/tests/test-runner" ]; then
    echo "building librdkafka and its test runner in $src"
    (cd "$src" && ./configure --disable-gssapi --disable-curl >"$work/configure.log" 2>&1 \
        && make -j"$(nproc)" libs >"$work/build.log" 2>&1 \
        && make -j"$(nproc)" -C tests test-runner >>"$work/build.log" 2>&1) \
        || { echo "building librdkafka failed, see $work/configure.log and $work/build.log" >&2; tail -20 "$work/build.log" >&2; exit 2; }
fi

# 3. Which tests: those of the runner's table that need a broker (not flagged TEST_F_LOCAL or
# MANUAL), minus the excluded ones, each under its scenario: "default" (auto-creation on) or
# "noautocreate" (`wharf serve --no-auto-create-topics`). A test number whose sub-tests need
# both runs twice, each run counting only its own sub-tests.
excluded=$(grep -v '^#' "$here/excluded.txt" | awk 'NF {print $1}')
table=$work/tests-$(basename "$src").txt
python3 - "$src/tests/test.c" >"$table" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
table = text[text.index("struct test tests[]"):]
table = table[:table.index("{NULL}")]
for entry in table.split("_TEST(")[1:]:
    name, _, rest = entry.partition(",")
    name = name.strip()
    if not re.match(r"\d{4}_", name) or "TEST_F_LOCAL" in rest.split(",")[0] or "TEST_F_MANUAL" in rest.split(",")[0]:
        continue
    m = re.search(r'\.scenario\s*=\s*"([^"]*)"', rest)
    for scenario in (m.group(1) if m else "default").split(","):
        if scenario in ("default", "noautocreate"):
            print(name, scenario)
PY
if [ $# -gt 0 ]; then
    wanted=" $* "
else
    wanted=" $(awk '{print substr($1, 1, 4)}' "$table" | sort -u | tr '\n' ' ') "
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

passed=0; failed=0; skipped=0; excl=0
failures=()
results=$work/results-$(basename "$src").txt
: >"$results"
quick=-Q; [ "${SUITE_FULL:-0}" = 1 ] && quick=

# broker_flags NUMBER: what a test needs of `wharf serve` beyond the defaults. 0081_admin creates,
# describes and deletes ACLs, which need an authorizer; allowing everyone where no ACL matches
# keeps the rest of the test (and its own principal) working as on an open broker.
broker_flags() {
    case $1 in
        0081) echo --authorize --allow-everyone-if-no-acl-found ;;
    esac
}

# broker_version NUMBER: the broker version the runner is told for that test: TEST_KAFKA_VERSION,
# raised for a test whose expectations depend on the version to the Kafka release whose behaviour
# Wharf implements. 0081_admin expects Kafka 2.7+'s UNKNOWN_TOPIC_OR_PARTITION for AlterConfigs of
# a missing topic (UNKNOWN below 2.7), and at 2.4+ also runs its DeleteConsumerGroupOffsets,
# AlterConsumerGroupOffsets and ListConsumerGroupOffsets sub-tests. 0103_transactions expects,
# below 2.5, the fatal error a broker without KIP-360 gives for an unknown producer id; Wharf, as
# Kafka 2.5+, lets the producer bump its epoch instead.
broker_version() {
    local wanted=$TEST_KAFKA_VERSION
    case $1 in
        0081|0103) wanted=2.8.0 ;;
    esac
    printf '%s\n%s\n' "$TEST_KAFKA_VERSION" "$wanted" | sort -V | tail -1
}

# run_one NUMBER SCENARIO: one fresh broker, the runner for that test number, the rows counted.
run_one() {
    local t=$1 scenario=$2 dir port wharf_pid rc alive keep row autocreate=--auto-create-topics
    [ "$scenario" = noautocreate ] && autocreate=--no-auto-create-topics
    dir=$(mktemp -d /tmp/wharf-rdk.XXXXXX)
    port=$(free_port)
    # --min-segment-bytes: Kafka accepts tiny segment.bytes (0129 creates its topic with 20000).
    "$wharf" serve --data "$dir/data" --listen "127.0.0.1:$port" --default-partitions 4 "$autocreate" --min-segment-bytes 1024 \
        --group-initial-rebalance-delay-ms 0 $(broker_flags "$t") >"$dir/wharf.log" 2>&1 &
    wharf_pid=$!
    for _ in $(seq 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.1
    done
    printf 'metadata.broker.list=127.0.0.1:%s\n' "$port" >"$dir/test.conf"
    # A consumer with offset.store.method=file (0014) keeps its offsets in files named by topic in
    # the runner's directory, shared by every run: a stale file from an earlier run whose random
    # topic name recurs makes it start at that file's offset. (test.conf cannot move them: the C++
    # tests' reader crashes on a `topic.` property when the test has no topic configuration.)
    rm -f "$src/tests/"*.offset
    # KAFKA_PATH: the stand-in for kafka-topics.sh (the admin API instead of Kafka's shell tools).
    # LD_LIBRARY_PATH: the runner uses the library built beside it, not the system's librdkafka.
    (cd "$src/tests" && RDKAFKA_TEST_CONF="$dir/test.conf" TESTS=$t KAFKA_PATH="$here/kafka" \
        LD_LIBRARY_PATH="$src/src:$src/src-cpp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
        ZK_ADDRESS="127.0.0.1:$port" BROKERS="127.0.0.1:$port" timeout "$timeout_s" \
        stdbuf -oL ./test-runner -p1 -L -K -E $quick -s "$scenario" -V "$(broker_version "$t")" >"$dir/test.log" 2>&1)
    rc=$?
    alive=1; kill -0 "$wharf_pid" 2>/dev/null || alive=0
    kill "$wharf_pid" 2>/dev/null; wait "$wharf_pid" 2>/dev/null
    # The runner's summary table: one row per sub-test, "| NAME | STATE | TIME |"; only this
    # scenario's sub-tests count.
    local mine
    mine=$(awk -v t="$t" -v s="$scenario" 'substr($1, 1, 4) == t && $2 == s {print $1}' "$table")
    mapfile -t rows < <(sed 's/\x1b\[[0-9;]*m//g' "$dir/test.log" | grep -E "^\| +${t}_[^ ]* +\| +(PASSED|FAILED|SKIPPED) " \
        | awk -F'|' '{gsub(/ /, "", $2); gsub(/ /, "", $3); print $2, $3}' | grep -wFf <(echo "$mine"))
    # A non-zero exit with no failed row is a failure too (a crash, a timeout), except after the
    # runner's own "ALL TESTS PASSED": v2.15.0's runner can abort in free() as it exits.
    if [ ${#rows[@]} -eq 0 ] || [ $alive -eq 0 ] || { [ $rc -ne 0 ] && ! printf '%s\n' "${rows[@]}" | grep -q FAILED \
            && ! grep -q "ALL TESTS PASSED" "$dir/test.log"; }; then
        local why="exit status $rc"; [ $alive -eq 0 ] && why="wharf serve exited"
        rows=("${t}[$scenario] FAILED($why)")
    fi
    keep=0
    for row in "${rows[@]}"; do
        case $row in
            *" PASSED") passed=$((passed + 1)) ;;
            *" SKIPPED") skipped=$((skipped + 1)) ;;
            *) failed=$((failed + 1)); failures+=("$row, log: $dir/test.log"); keep=1 ;;
        esac
        echo "$row" | tee -a "$results"
    done
    [ $keep -eq 1 ] || rm -rf "$dir"
}

for t in $wanted; do
    if grep -qx "$t" <<<"$excluded"; then
        excl=$((excl + 1)); echo "$t EXCLUDED" | tee -a "$results"; continue
    fi
    for scenario in $(awk -v t="$t" 'substr($1, 1, 4) == t {print $2}' "$table" | sort -u); do
        run_one "$t" "$scenario"
    done
done

echo "librdkafka $(basename "$src") suite against wharf (TEST_KAFKA_VERSION=$TEST_KAFKA_VERSION):" \
     "$passed passed, $failed failed, $skipped skipped, $excl excluded"
for f in "${failures[@]}"; do echo "  failed: $f"; done
[ "$failed" -eq 0 ]
