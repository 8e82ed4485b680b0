# Sourced by container tests: a running Docker Engine and a local busybox
# image (no registry is reachable: the image is imported from a rootfs).
DOCKER=$(command -v /usr/bin/docker || command -v docker)
IMAGE=ebpfcap-busybox:test

docker_up() {
	"$DOCKER" info >/dev/null 2>&1 && return 0
	dockerd --iptables=false --ip6tables=false >"$TMP/dockerd.log" 2>&1 &
	DOCKERD_PID=$!
	at_exit "kill $DOCKERD_PID; sleep 1"
	i=0
	until "$DOCKER" info >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -gt 60 ] && fail "dockerd did not start: $(tail -3 "$TMP/dockerd.log")"
		sleep 0.5
	done
}

image_up() {
	"$DOCKER" image inspect $IMAGE >/dev/null 2>&1 && return 0
	root="$TMP/rootfs"
	mkdir -p "$root/bin" && cp /bin/busybox "$root/bin/" || fail "busybox-static is not installed"
	for a in sh nc sleep echo cat; do ln -s busybox "$root/bin/$a"; done
	tar -C "$root" -c . | "$DOCKER" import - $IMAGE >/dev/null || fail "docker import"
}
