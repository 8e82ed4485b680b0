#!/bin/sh
# make compat: ebpfcap against every Wireshark a user has. For each suite,
# a Debian chroot (debootstrap, cached in BUILD/compat/SUITE and reused) with
# that suite's tshark and Wireshark SDK: the plugin and extcap are built
# there from this source, `make install` puts them where that Wireshark
# looks, and the dissector and extcap tests run with that tshark. bookworm
# is this machine itself (Wireshark 4.0): no chroot.
#
#   bookworm  Wireshark 4.0   (Debian 12, the host)
#   trixie    Wireshark 4.4   (Debian 13)
#   sid       Wireshark 4.6   (Debian unstable; and Stratoshark 0.9)
#
# A chroot shares this kernel, so live captures work inside with /proc,
# /sys (with /sys/fs/bpf, /sys/kernel/tracing, cgroups) and /dev bind-mounted.
# Usage: test/compat/run.sh BUILD [SUITES]   (COMPAT_LOCK=FILE: hold that
# lock around each suite's install and tests, as the shared machines want)
set -u
build=${1:-build}
suites=${2:-bookworm trixie sid}
here=$(pwd)
case "$build" in /*) ;; *) build="$here/$build" ;; esac

# The tests that say whether this Wireshark works with ebpfcap: pcapng it reads,
# every record decoded (fields, tree, filters, profile, statistics), the extcap
# protocol, live capture, packets with owners (comments, option 8, tshark -2).
TESTS=${COMPAT_TESTS:-unit_pcapng unit_process_info t_pcapio_tshark t_extcap_protocol t_dissector t_dissector_malformed t_e2e_tshark t_packet_owners t_owner_dissector t_process_info}
# What building and those tests need inside a chroot (the Makefile's DEB_PACKAGES, less docker & co.).
PACKAGES="make gcc libc6-dev clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev pkg-config libpcap-dev
	libzmq3-dev libglib2.0-dev libwireshark-dev libwiretap-dev libwsutil-dev tshark iproute2 procps
	libcap2-bin util-linux libssl-dev"
# Stratoshark is in sid only (0.9.9).
PACKAGES_sid="stratoshark"
# The Debian mirror apt uses here.
MIRROR=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1)
[ -n "$MIRROR" ] || MIRROR=$(sed -n 's/^deb \(http[^ ]*debian\) .*/\1/p' /etc/apt/sources.list 2>/dev/null | head -1)
[ -n "$MIRROR" ] || MIRROR=http://deb.debian.org/debian

say() { echo "compat: $*"; }

MOUNTED=""
unmount_all() {
	for m in $MOUNTED; do umount -R "$m" 2>/dev/null || umount -lR "$m" 2>/dev/null; done
	MOUNTED=""
}
trap unmount_all EXIT
trap 'exit 1' HUP INT TERM

# What a live capture needs from the host, bind-mounted (rslave: unmounting stays
# inside). The root itself is a mount point too: ip netns remounts "/" (rslave).
mount_host() { # ROOT
	mount --bind "$1" "$1" && MOUNTED="$1" || return 1
	for d in proc sys dev; do
		mkdir -p "$1/$d"
		mount --rbind "/$d" "$1/$d" && mount --make-rslave "$1/$d" || return 1
	done
	cp /etc/resolv.conf "$1/etc/resolv.conf" 2>/dev/null
	return 0
}

in_root() { # ROOT COMMAND...
	root=$1; shift
	chroot "$root" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# A chroot of SUITE with PACKAGES, made once; the stamp names what is installed.
ensure_root() { # SUITE ROOT
	stamp="$2/.ebpfcap-compat"
	want=$(eval echo "\$PACKAGES \${PACKAGES_$1:-}" | tr -s ' \t\n' ' ')
	[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && return 0
	made=$(date +%s)
	# debootstrap removes ROOT/debootstrap when it has finished.
	if [ ! -x "$2/usr/bin/apt-get" ] || [ -d "$2/debootstrap" ]; then
		command -v debootstrap >/dev/null || { apt-get install -y -q debootstrap >/dev/null || return 1; }
		rm -rf "$2" && mkdir -p "$2"
		say "$1: debootstrap from $MIRROR"
		debootstrap --variant=minbase "$1" "$2" "$MIRROR" >"$2.debootstrap.log" 2>&1 ||
			{ tail -5 "$2.debootstrap.log"; return 1; }
	fi
	say "$1: installing tshark, the Wireshark SDK and the build tools"
	mount_host "$2" || return 1
	# sid's Release may be past its Valid-Until on a snapshot mirror.
	in_root "$2" apt-get -q -o Acquire::Check-Valid-Until=false update >/dev/null &&
		in_root "$2" apt-get -q -y --no-install-recommends install $want >"$2.apt.log" 2>&1 ||
		{ tail -5 "$2.apt.log"; unmount_all; return 1; }
	unmount_all
	echo "$want" >"$stamp"
	say "$1: chroot ready in $(( $(date +%s) - made ))s"
}

# This source (not its build dir; what git tracks or would) into ROOT/src; the chroot's own build dir stays, so warm runs rebuild little.
copy_source() { # ROOT
	mkdir -p "$1/src"
	find "$1/src" -mindepth 1 -maxdepth 1 ! -name build -exec rm -rf {} +
	git -C "$here" ls-files -co --exclude-standard -z | (cd "$here" && xargs -0 tar -cf - --no-recursion) |
		tar -xf - -C "$1/src"
}

# STEP (build, test) of test/compat/suite.sh in ROOT ("" for this machine).
step() { # ROOT STEP
	if [ -z "$1" ]; then
		(cd "$here" && TESTS="$TESTS" sh test/compat/suite.sh "$2")
	else
		in_root "$1" TESTS="$TESTS" sh -c "cd /src && sh test/compat/suite.sh $2"
	fi
}

# Builds, then installs and tests; the tests use this kernel and fixed names,
# so they run under COMPAT_LOCK (the lock file is the host's, taken out here).
run_suite() { # ROOT
	step "$1" build || return 1
	[ -n "${COMPAT_LOCK:-}" ] || { step "$1" test; return; }
	waited=$(date +%s)
	exec 9>"$COMPAT_LOCK" && flock 9 || return 1
	echo "waited $(( $(date +%s) - waited ))s for $COMPAT_LOCK"
	step "$1" test 9>&- # what the tests start must not hold the lock
	set -- $?
	flock -u 9
	exec 9>&-
	return "$1"
}

total_passed=0 total_failed=0 summary=""
for suite in $suites; do
	start=$(date +%s)
	if [ "$suite" = bookworm ] && grep -q 'VERSION_CODENAME=bookworm' /etc/os-release; then
		say "$suite: this machine"
		out=$(run_suite "" 2>&1)
	else
		root="$build/compat/$suite"
		mkdir -p "$build/compat"
		if ensure_root "$suite" "$root" && mount_host "$root"; then
			copy_source "$root"
			out=$(run_suite "$root" 2>&1)
			unmount_all
		else
			out="chroot of $suite could not be made
0 passed, 1 failed"
		fi
	fi
	echo "$out" | sed "s/^/[$suite] /"
	counts=$(echo "$out" | sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' | tail -1)
	p=${counts% *} f=${counts#* }
	[ -n "$counts" ] || { p=0; f=1; }
	waited=$(echo "$out" | sed -n 's/^waited \([0-9]*\)s for .*/\1/p')
	version=$(echo "$out" | sed -n 's/^Wireshark \([0-9.]*\),.*/\1/p' | head -1)
	total_passed=$((total_passed + p)) total_failed=$((total_failed + f))
	summary="$summary$(printf '%-9s Wireshark %-8s %3s passed, %s failed, %ss (%ss waiting for the lock)' \
		"$suite" "${version:-?}" "$p" "$f" "$(( $(date +%s) - start ))" "${waited:-0}")
"
done
printf '%s' "$summary"
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
