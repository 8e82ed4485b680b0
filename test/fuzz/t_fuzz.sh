# The libFuzzer targets (test/fuzz/fuzz_*.c, built by make all): each first runs
# its kept regression inputs (test/data/fuzz/<target>/regressions/), then
# fuzzes for FUZZ_SECONDS (default 10) from its seed corpus. Fails on any
# crash, hang, leak, sanitizer report or broken property, and names the
# input: a regression file, or a new one kept as
# build/test/logs/fuzz_<target>-crash-* (copy it to regressions/ once fixed).
# `make fuzz` is the long run (FUZZ_SECONDS=600, the corpus kept in FUZZ_CORPUS).
. test/helpers/lib.sh
EACH=${FUZZ_SECONDS:-10}
CORPUS=${FUZZ_CORPUS:-$TMP/corpus}
LOGS=$BUILD/test/logs
mkdir -p "$LOGS"

# Inputs as large as the parser's real ones: a message holds several records.
max_len() { case $1 in zmq_msg) echo 16384 ;; containers) echo 8192 ;; *) echo 4096 ;; esac; }

# Runs one fuzzer with the options every run shares; its output goes to $TMP/$t.log.
fuzz() { # TARGET ARGS...
	t=$1; shift
	"$BUILD/test/fuzz_$t" -timeout=10 -rss_limit_mb=2048 -max_len="$(max_len "$t")" \
		-artifact_prefix="$LOGS/fuzz_$t-" -print_final_stats=1 "$@" >"$TMP/$t.log" 2>&1 ||
		{ grep -E 'Running:|ERROR|property|SUMMARY|Test unit written' "$TMP/$t.log" | tail -8; fail "fuzz_$t: a crash or a broken property (above: the input)"; }
}

final_stat() { sed -n "s/^stat::$2: *//p" "$TMP/$1.log"; }

n=0
for bin in "$BUILD"/test/fuzz_*; do
	[ -x "$bin" ] || continue
	t=${bin##*/fuzz_}
	seeds=test/data/fuzz/$t
	[ -d "$seeds" ] || fail "fuzz_$t has no seed corpus $seeds"
	if [ -d "$seeds/regressions" ]; then
		set -- "$seeds"/regressions/*
		fuzz "$t" "$@"
		ok "fuzz_$t: $# kept regression inputs pass"
	fi
	mkdir -p "$CORPUS/$t"
	# The first directory takes what the run finds; the committed seeds are only read.
	fuzz "$t" -max_total_time="$EACH" "$CORPUS/$t" "$seeds"
	ok "fuzz_$t: $(final_stat "$t" number_of_executed_units) inputs in ${EACH} s ($(final_stat "$t" average_exec_per_sec)/s), \
$(grep -E '^#[0-9]+.*(DONE|cov:)' "$TMP/$t.log" | tail -1 | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+'), no crash"
	n=$((n + 1))
done
[ $n -ge 4 ] || fail "only $n fuzz targets in $BUILD/test (make all builds them)"
