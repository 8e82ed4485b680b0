# Sourced by container tests: a running Docker Engine and a local busybox
# image (no registry is reachable: the image is imported from a rootfs).
DOCKER=$(command -v /usr/bin/docker || command -v docker)
IMAGE=ebpfcap-busybox:test

docker_up() {
	"$DOCKER" info >/dev/null 2>&1 && return 0
	dockerd --iptables=false --ip6tables=false >"$TMP/dockerd.log" 2>&1 &
	DOCKERD_PID=$!
	at_exit "kill $DOCKERD_PID; sleep 1"
	wait_for -p $DOCKERD_PID -l "$TMP/dockerd.log" 30 "dockerd to start" "$DOCKER" info
}

image_up() {
	"$DOCKER" image inspect $IMAGE >/dev/null 2>&1 && return 0
	root="$TMP/rootfs"
	mkdir -p "$root/bin" && cp /bin/busybox "$root/bin/" || fail "busybox-static is not installed"
	for a in sh nc sleep echo cat; do ln -s busybox "$root/bin/$a"; done
	tar -C "$root" -c . | "$DOCKER" import - $IMAGE >/dev/null || fail "docker import"
}

# containers_up NAME...: the engine and the image up, no container by these names left
# from an earlier run, and the test's own removed at exit.
containers_up() {
	docker_up
	image_up
	"$DOCKER" rm -f "$@" >/dev/null 2>&1
	at_exit "$DOCKER rm -f $*"
}
