#!/bin/sh
# Runs every test: compiled unit tests (build/test/unit_*, and san_* the
# same under ASan+UBSan) and shell tests
# (test/e2e/t_*.sh, and test/fuzz/t_*.sh which run the fuzzers briefly). A test passes by exiting 0 and fails otherwise; its output
# is kept in build/test/logs and shown when it fails.
# Usage: test/run.sh BUILD_DIR [NAME_PATTERN]
# TESTS="name ..." runs only the tests of those exact names (make compat).
build=${1:-build}
pattern=${2:-}
logs="$build/test/logs"
mkdir -p "$logs"
passed=0
failed=0
failures=""

run_one() {
	name=$1; shift
	case "$name" in *"$pattern"*) ;; *) return ;; esac
	[ -z "${TESTS:-}" ] || case " $TESTS " in *" $name "*) ;; *) return ;; esac
	start=$(date +%s)
	if "$@" >"$logs/$name.log" 2>&1; then
		passed=$((passed + 1)); verdict=PASS
	else
		failed=$((failed + 1)); verdict=FAIL; failures="$failures $name"
	fi
	printf '%-4s %-40s %3ss\n' "$verdict" "$name" "$(( $(date +%s) - start ))"
	[ $verdict = FAIL ] && sed 's/^/    | /' "$logs/$name.log" | tail -40
}

for t in "$build"/test/unit_* "$build"/test/san_*; do
	[ -x "$t" ] && run_one "$(basename "$t")" "$t"
done
for t in test/e2e/t_*.sh test/fuzz/t_*.sh; do
	[ -f "$t" ] && run_one "$(basename "$t" .sh)" sh "$t" "$build"
done

[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
