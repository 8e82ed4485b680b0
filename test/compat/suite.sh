#!/bin/sh
# One suite of make compat, run in its chroot (or on the host for bookworm)
# from the source's top directory: `build` builds what the tests need against
# this Wireshark's SDK; `test` installs (make install picks this Wireshark's
# directories) and runs TESTS with this tshark. The last line is test/run.sh's
# "N passed, N failed".
set -u
case "${1:-}" in
build)
	mkdir -p build
	start=$(date +%s)
	units=$(for t in $TESTS; do case $t in unit_*) echo build/test/$t ;; esac; done)
	make -s BUILD=build build/ebpfcap build/ebpfflow.so build/test/gen_records build/test/traffic $units \
		>build/compat-build.log 2>&1 || { tail -20 build/compat-build.log; echo "0 passed, 1 failed"; exit 1; }
	echo "built in $(( $(date +%s) - start ))s"
	echo "Wireshark $(tshark --version 2>/dev/null | sed -n '1s/[^0-9]*\([0-9][0-9.]*[0-9]\).*/\1/p'), libbpf $(pkg-config --modversion libbpf)"
	;;
test)
	make -s BUILD=build install >build/compat-install.log 2>&1 || { tail -20 build/compat-install.log; echo "0 passed, 1 failed"; exit 1; }
	folder() { tshark -G folders 2>/dev/null | sed -n "s/^$1:[[:space:]]*//p" | cut -d: -f1; }
	echo "installed: $(ls "$(folder '\(Global \)\{0,1\}Extcap path')/ebpfcap") $(ls "$(folder 'Global Plugins')/epan/ebpfflow.so")"
	out=$(TESTS="$TESTS" sh test/run.sh build)
	echo "$out" | sed '$d'
	set -- $(echo "$out" | sed -n '$s/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p')
	passed=${1:-0} failed=${2:-1}
	# Stratoshark where the suite has it (sid): not a test/e2e/t_*.sh, make check has no strato.
	if command -v strato >/dev/null; then
		if sh test/compat/t_stratoshark.sh build >build/test/logs/t_stratoshark.log 2>&1; then
			passed=$((passed + 1)); echo "PASS t_stratoshark"
		else
			failed=$((failed + 1)); echo "FAIL t_stratoshark"; tail -20 build/test/logs/t_stratoshark.log | sed 's/^/    | /'
		fi
	fi
	echo "$passed passed, $failed failed"
	;;
*)
	echo "usage: $0 build|test" >&2; exit 2 ;;
esac
