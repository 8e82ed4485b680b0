#!/bin/sh
# One suite of make compat, run in its chroot (or on the host for bookworm)
# from the source's top directory: `build` builds what the tests need against
# this Wireshark's SDK; `test` installs (make install picks this Wireshark's
# directories) and runs TESTS with this tshark. The last line is test/run.sh's
# "N passed, N failed".
set -u
case "${1:-}" in
build)
	units=$(for t in $TESTS; do case $t in unit_*) echo build/test/$t ;; esac; done)
	make -s BUILD=build build/ebpfcap build/ebpfflow.so build/test/gen_records build/test/traffic $units \
		>build.log 2>&1 || { tail -20 build.log; echo "0 passed, 1 failed"; exit 1; }
	echo "Wireshark $(tshark --version 2>/dev/null | sed -n '1s/[^0-9]*\([0-9][0-9.]*[0-9]\).*/\1/p'), libbpf $(pkg-config --modversion libbpf)"
	;;
test)
	make -s BUILD=build install >install.log 2>&1 || { tail -20 install.log; echo "0 passed, 1 failed"; exit 1; }
	folder() { tshark -G folders 2>/dev/null | sed -n "s/^$1:[[:space:]]*//p" | cut -d: -f1; }
	echo "installed: $(ls "$(folder '\(Global \)\{0,1\}Extcap path')/ebpfcap") $(ls "$(folder 'Global Plugins')/epan/ebpfflow.so")"
	TESTS="$TESTS" sh test/run.sh build
	;;
*)
	echo "usage: $0 build|test" >&2; exit 2 ;;
esac
