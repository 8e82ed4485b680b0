#!/bin/sh
# build-image.sh BUILD [TAG]: the exporter's image from BUILD/ebpfcap, built by
# the local Docker Engine from BUILD/image/ (see Dockerfile; no registry).
# `make image` runs it; so does test/e2e/t_exporter_image.sh.
set -eu
BUILD=${1:?usage: build-image.sh BUILD [TAG]}
TAG=${2:-ebpfcap-exporter:latest}
DOCKER=${DOCKER:-docker}
HERE=$(dirname "$0")
CTX=$BUILD/image
ROOT=$CTX/rootfs

[ -x "$BUILD/ebpfcap" ] || { echo "build-image.sh: $BUILD/ebpfcap is missing (make all)" >&2; exit 1; }
rm -rf "$CTX"
mkdir -p "$ROOT/usr/bin" "$ROOT/etc" "$ROOT/tmp"
chmod 1777 "$ROOT/tmp"
# Without debug info: the image need not carry it (build/ebpfcap keeps it).
objcopy --strip-debug "$BUILD/ebpfcap" "$ROOT/usr/bin/ebpfcap"

# Each library at the path ldd resolved it to, and the loader at the path
# the binary names (PT_INTERP), symlinks followed: what the loader opens.
ldd "$BUILD/ebpfcap" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
while read -r lib; do
	mkdir -p "$ROOT$(dirname "$lib")"
	cp -L "$lib" "$ROOT$lib"
done
[ -n "$(ls "$ROOT/lib64" 2>/dev/null)" ] || { echo "build-image.sh: ldd named no loader" >&2; exit 1; }

# Who root is, and how names resolve (an --export-connect ENDPOINT may be a
# host name). Docker and the kubelet add hosts, hostname and resolv.conf.
echo 'root:x:0:0:root:/:/usr/bin/ebpfcap' >"$ROOT/etc/passwd"
echo 'root:x:0:' >"$ROOT/etc/group"
echo 'hosts: files dns' >"$ROOT/etc/nsswitch.conf"

cp "$HERE/Dockerfile" "$CTX/Dockerfile"
"$DOCKER" build -q -t "$TAG" "$CTX" >/dev/null
echo "$TAG: $(du -sk "$ROOT" | cut -f1) KiB, $(find "$ROOT" -type f | wc -l) files"
