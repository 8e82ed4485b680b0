# ebpfcap — the one entry point: make demo | check | bench | soak | gui-check | install | uninstall
# Everything builds into build/; nothing outside it except `make install`.

BUILD     ?= build
CC        ?= gcc
CLANG     ?= clang
BPFTOOL   ?= bpftool
ARCH      := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 -Wall -Wextra -Wshadow -Wno-missing-field-initializers -I. -I$(BUILD)
LIBS      := $(shell pkg-config --libs libbpf glib-2.0 2>/dev/null || echo -lbpf -lelf -lz -lglib-2.0)
LIBS      += -lzmq -lpthread
GLIB_CFLAGS := $(shell pkg-config --cflags glib-2.0 2>/dev/null)

WS_CFLAGS := $(shell pkg-config --cflags wireshark 2>/dev/null)
WS_LIBS   := $(shell pkg-config --libs wireshark 2>/dev/null)
WS_PLUGINDIR := $(shell pkg-config --variable=plugindir wireshark 2>/dev/null)
EXTCAPDIR ?= $(shell pkg-config --variable=libdir wireshark 2>/dev/null)/wireshark/extcap
PROFILEDIR ?= /usr/share/wireshark/profiles/eBPF
MANDIR    ?= /usr/share/man
BINDIR    ?= /usr/bin

# Debian 12 packages needed to build, run and test (installed by `make deps`).
DEB_PACKAGES := make gcc libc6-dev clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev pkg-config \
	libpcap-dev libzmq3-dev libglib2.0-dev libwireshark-dev libwiretap-dev \
	libwsutil-dev tshark iproute2 procps docker.io busybox-static valgrind \
	python3 python3-yaml python3-kubernetes libclang-rt-14-dev groff-base libcap2-bin \
	postgresql openssh-server openssh-client socat

USER_SRCS := utils/record.c utils/process.c utils/snapshot.c utils/cgroup.c utils/json.c utils/containers.c utils/netlink.c utils/flow_table.c utils/packet_tuple.c utils/conntrack.c pcapio/pcapng.c pcapio/pcapng_reader.c pcapio/exported_pdu.c \
	utils/zmq_transport.c
EXTCAP_SRCS := $(wildcard extcap/*.c) $(USER_SRCS)
PLUGIN_SRCS := $(wildcard dissector/*.c)
UNIT_TESTS := $(patsubst test/%.c,$(BUILD)/test/%,$(wildcard test/unit_*.c))
# The same unit tests built with AddressSanitizer and UndefinedBehaviorSanitizer.
SAN_TESTS := $(patsubst test/unit_%.c,$(BUILD)/test/san_%,$(wildcard test/unit_*.c))
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# libFuzzer targets (test/fuzz_*.c): clang only; libclang-rt-14-dev has the runtime.
# Named fuzz_*, not unit_*, so test/run.sh does not run them as unit tests.
FUZZ_TARGETS := $(patsubst test/%.c,$(BUILD)/test/%,$(wildcard test/fuzz_*.c))
FUZZ_SRCS := utils/record.c utils/cgroup.c utils/json.c utils/containers.c utils/zmq_transport.c
FUZZ_CFLAGS := -O1 -g -std=gnu11 -Wall -Wextra -I. -I$(BUILD) \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SECONDS ?= 600
TEST_TOOLS := $(BUILD)/test/traffic $(BUILD)/test/lossy.bpf.o $(BUILD)/test/gen_records $(BUILD)/test/zmq_peer

# Only for make gui-check: the Qt Wireshark under a virtual X server.
GUI_PACKAGES := wireshark xvfb xdotool imagemagick fonts-dejavu-core

.PHONY: all deps demo check install uninstall clean bench fuzz image gui-check soak

all: $(BUILD)/ebpfcap $(BUILD)/ebpfflow.so $(UNIT_TESTS) $(SAN_TESTS) $(TEST_TOOLS) $(FUZZ_TARGETS)

# Installs only what is missing, so a warm machine pays nothing.
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null || exit 1; \
	fi

$(BUILD)/.dir:
	mkdir -p $(BUILD)/test && touch $@

# CO-RE: vmlinux.h comes from the running kernel's BTF.
$(BUILD)/vmlinux.h: | $(BUILD)/.dir
	@test -r /sys/kernel/btf/vmlinux || { echo "ebpfcap: /sys/kernel/btf/vmlinux is not readable: the kernel needs CONFIG_DEBUG_INFO_BTF" >&2; exit 1; }
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@.tmp && mv $@.tmp $@

$(BUILD)/ebpfcap.bpf.o: bpf/ebpfcap.bpf.c bpf/ebpf_record.h $(BUILD)/vmlinux.h
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(BUILD) -I. -c $< -o $@

$(BUILD)/ebpfcap.skel.h: $(BUILD)/ebpfcap.bpf.o
	$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

$(BUILD)/ebpfcap: $(EXTCAP_SRCS) $(wildcard extcap/*.h utils/*.h pcapio/*.h) bpf/ebpf_record.h $(BUILD)/ebpfcap.skel.h
	$(CC) $(CFLAGS) $(GLIB_CFLAGS) $(EXTCAP_SRCS) -o $@ $(LIBS) -lpcap

$(BUILD)/ebpfflow.so: $(PLUGIN_SRCS) $(wildcard dissector/*.h) bpf/ebpf_record.h utils/v4_mapped.h | $(BUILD)/.dir
	$(CC) $(CFLAGS) -Wno-shadow -fPIC -shared -fvisibility=hidden $(WS_CFLAGS) $(PLUGIN_SRCS) -o $@ $(WS_LIBS)

$(BUILD)/test/unit_%: test/unit_%.c $(USER_SRCS) $(wildcard test/*.h utils/*.h pcapio/*.h) | $(BUILD)/.dir
	$(CC) $(CFLAGS) $(GLIB_CFLAGS) $< $(USER_SRCS) -o $@ -lpcap $(LIBS)

$(BUILD)/test/san_%: test/unit_%.c $(USER_SRCS) $(wildcard test/*.h utils/*.h pcapio/*.h) | $(BUILD)/.dir
	$(CC) $(CFLAGS) $(SANITIZE) $(GLIB_CFLAGS) $< $(USER_SRCS) -o $@ -lpcap $(LIBS)

$(BUILD)/test/fuzz_%: test/fuzz_%.c test/fuzz.h $(FUZZ_SRCS) $(wildcard utils/*.h) | $(BUILD)/.dir
	$(CLANG) $(FUZZ_CFLAGS) $(GLIB_CFLAGS) $< $(FUZZ_SRCS) -o $@ $(LIBS)

# unit_reorder includes extcap/reorder.c itself.
$(BUILD)/test/unit_reorder $(BUILD)/test/san_reorder: extcap/reorder.c extcap/reorder.h

$(BUILD)/test/traffic: test/traffic.c test/bounded_fork.h | $(BUILD)/.dir
	$(CC) $(CFLAGS) $< -o $@

# Test helper: synthetic exporters (and hostile ones) for the ZMQ collector.
$(BUILD)/test/zmq_peer: test/zmq_peer.c $(USER_SRCS) $(wildcard utils/*.h pcapio/*.h) | $(BUILD)/.dir
	$(CC) $(CFLAGS) $(GLIB_CFLAGS) $< $(USER_SRCS) -o $@ $(LIBS)

$(BUILD)/test/gen_records: test/gen_records.c $(USER_SRCS) | $(BUILD)/.dir
	$(CC) $(CFLAGS) $(GLIB_CFLAGS) $< $(USER_SRCS) -o $@ $(LIBS)

# Test helper: a tc program that drops packets (this kernel has no netem).
$(BUILD)/test/lossy.bpf.o: test/lossy.bpf.c | $(BUILD)/.dir
	$(CLANG) -g -O2 -target bpf -I/usr/include/$(shell $(CC) -dumpmachine) -c $< -o $@

# Captures without root, as dumpcap does it: the extcap is root:wireshark
# 0750 with file capabilities, so members of group wireshark can capture.
# The capability set lives in extcap/privileges.c; `ebpfcap --capabilities`
# prints it (test/t_nonroot.sh uses the same). Only on the live system
# (empty DESTDIR): packagers run the groupadd/chgrp/setcap lines in postinst.
# setcap comes last: chown/chgrp clear file capabilities.
install: $(BUILD)/ebpfcap $(BUILD)/ebpfflow.so
	install -D -m 0755 $(BUILD)/ebpfcap $(DESTDIR)$(EXTCAPDIR)/ebpfcap
	if [ -z "$(DESTDIR)" ]; then \
		groupadd -f -r wireshark && chgrp wireshark $(EXTCAPDIR)/ebpfcap && chmod 0750 $(EXTCAPDIR)/ebpfcap && \
		setcap "$$($(BUILD)/ebpfcap --capabilities)" $(EXTCAPDIR)/ebpfcap; \
	fi
	install -D -m 0644 $(BUILD)/ebpfflow.so $(DESTDIR)$(WS_PLUGINDIR)/epan/ebpfflow.so
	install -D -m 0644 dissector/profile/eBPF/preferences $(DESTDIR)$(PROFILEDIR)/preferences
	install -D -m 0644 dissector/profile/eBPF/colorfilters $(DESTDIR)$(PROFILEDIR)/colorfilters
	install -D -m 0644 docs/ebpfcap.1 $(DESTDIR)$(MANDIR)/man1/ebpfcap.1
	install -d $(DESTDIR)$(BINDIR) && ln -sf $(EXTCAPDIR)/ebpfcap $(DESTDIR)$(BINDIR)/ebpfcap # the CLI on PATH

# The group wireshark stays: Wireshark's own dumpcap may use it.
uninstall:
	rm -f $(DESTDIR)$(EXTCAPDIR)/ebpfcap $(DESTDIR)$(WS_PLUGINDIR)/epan/ebpfflow.so
	rm -f $(DESTDIR)$(MANDIR)/man1/ebpfcap.1 $(DESTDIR)$(BINDIR)/ebpfcap
	rm -rf $(DESTDIR)$(PROFILEDIR)

# The exporter's container image (docs/deploy/): FROM scratch with the binary and
# what ldd lists, built by the local Docker Engine from $(BUILD)/image (no registry).
IMAGE_TAG ?= ebpfcap-exporter:latest
image: $(BUILD)/ebpfcap
	sh docs/deploy/build-image.sh $(BUILD) $(IMAGE_TAG)

# Debian's kubectl (kubernetes-client) for test/t_deploy_manifest.sh, unpacked here rather
# than installed: where another package owns /usr/bin/kubectl (the google-cloud-cli one
# on these machines) dpkg refuses to install it.
KUBECTL := $(BUILD)/tools/usr/bin/kubectl
$(KUBECTL): | $(BUILD)/.dir
	mkdir -p $(BUILD)/tools && rm -f $(BUILD)/tools/*.deb
	cd $(BUILD)/tools && { apt-get download -q kubernetes-client || { apt-get update -q && apt-get download -q kubernetes-client; }; }
	dpkg -x $(BUILD)/tools/kubernetes-client_*.deb $(BUILD)/tools && rm $(BUILD)/tools/kubernetes-client_*.deb
	touch $@

# The main job: a live capture of "eBPF Events" shown through tshark.
demo: deps
	$(MAKE) all install
	sh test/demo.sh $(BUILD)

check: deps
	$(MAKE) all install $(KUBECTL)
	sh test/run.sh $(BUILD)

# make bench: ratios against baselines measured in the same run (bench/run.sh says which).
# bpftrace and tcpdump are what ebpfcap is compared with, gnuplot draws the sweep,
# ethtool turns the bench veth's offloads off.
BENCH_PACKAGES := bpftrace tcpdump gnuplot-nox ethtool
BENCH_TOOLS := $(BUILD)/bench/loadgen $(BUILD)/bench/kdrain $(BUILD)/bench/micro

$(BUILD)/bench/loadgen: bench/loadgen.c test/bounded_fork.h
	mkdir -p $(BUILD)/bench && $(CC) $(CFLAGS) $< -o $@

# The kernel side alone: ebpfcap's programs attached, events drained and discarded.
$(BUILD)/bench/kdrain: bench/kdrain.c extcap/kernel_events.c $(USER_SRCS) $(BUILD)/ebpfcap.skel.h
	mkdir -p $(BUILD)/bench && $(CC) $(CFLAGS) $(GLIB_CFLAGS) bench/kdrain.c extcap/kernel_events.c $(USER_SRCS) -o $@ $(LIBS)

# The per-event user-space path; micro.c includes extcap/capture.c to time its own on_event().
$(BUILD)/bench/micro: bench/micro.c $(EXTCAP_SRCS) $(wildcard extcap/*.h utils/*.h pcapio/*.h) $(BUILD)/ebpfcap.skel.h
	mkdir -p $(BUILD)/bench && $(CC) $(CFLAGS) $(GLIB_CFLAGS) bench/micro.c \
		$(filter-out extcap/main.c extcap/capture.c,$(EXTCAP_SRCS)) -o $@ $(LIBS) -lpcap

bench: deps
	$(MAKE) all install $(BENCH_TOOLS)
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="$(BENCH_PACKAGES)"
	sh bench/run.sh $(BUILD)

# The long fuzz runs: the dissector (make check runs 200000 records), then each
# libFuzzer target for FUZZ_SECONDS (make check: 10 s each); the
# corpus grows in $(BUILD)/fuzz-corpus, crashes are kept in $(BUILD)/test/logs.
fuzz: deps
	$(MAKE) all install
	FUZZ_RECORDS=2000000 sh test/run.sh $(BUILD) t_dissector_fuzz
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_CORPUS=$(BUILD)/fuzz-corpus sh test/run.sh $(BUILD) t_fuzz

# The real Wireshark GUI under Xvfb lists our interfaces, opens their
# options and captures from eBPF Events; screenshots in $(BUILD)/gui
# (GUI_SHOTS=docs/images to refresh the README's). Not in check: the Qt
# packages, and clicks placed by pixel colour (test/gui_check.sh says what
# it asserts and what not).
gui-check: deps
	$(MAKE) deps DEB_PACKAGES="$(GUI_PACKAGES)"
	$(MAKE) all install
	sh test/gui_check.sh $(BUILD)

# The long soak: one capture under a steady connection storm for 10 minutes,
# memory flat and nothing lost (make check runs it for 30 s).
soak: deps
	$(MAKE) all install
	SOAK_SECONDS=600 sh test/run.sh $(BUILD) t_soak

clean:
	rm -rf $(BUILD)
