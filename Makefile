# ebpfcap — the one entry point: make demo | check | bench | soak | install | uninstall
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

# Debian 12 packages needed to build, run and test (installed by `make deps`).
DEB_PACKAGES := make gcc libc6-dev clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev pkg-config \
	libpcap-dev libzmq3-dev libglib2.0-dev libwireshark-dev libwiretap-dev \
	libwsutil-dev tshark iproute2 procps docker.io busybox-static valgrind libcap2-bin

USER_SRCS := utils/record.c utils/process.c utils/snapshot.c utils/cgroup.c utils/json.c utils/containers.c utils/netlink.c pcapio/pcapng.c pcapio/pcapng_reader.c pcapio/exported_pdu.c \
	utils/zmq_transport.c
EXTCAP_SRCS := $(wildcard extcap/*.c) $(USER_SRCS)
PLUGIN_SRCS := $(wildcard dissector/*.c)
UNIT_TESTS := $(patsubst test/%.c,$(BUILD)/test/%,$(wildcard test/unit_*.c))
# The same unit tests built with AddressSanitizer and UndefinedBehaviorSanitizer.
SAN_TESTS := $(patsubst test/unit_%.c,$(BUILD)/test/san_%,$(wildcard test/unit_*.c))
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
TEST_TOOLS := $(BUILD)/test/traffic $(BUILD)/test/lossy.bpf.o $(BUILD)/test/gen_records $(BUILD)/test/zmq_peer

.PHONY: all deps demo check install uninstall clean bench fuzz soak

all: $(BUILD)/ebpfcap $(BUILD)/ebpfflow.so $(UNIT_TESTS) $(SAN_TESTS) $(TEST_TOOLS)

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

$(BUILD)/ebpfflow.so: $(PLUGIN_SRCS) $(wildcard dissector/*.h) bpf/ebpf_record.h | $(BUILD)/.dir
	$(CC) $(CFLAGS) -Wno-shadow -fPIC -shared -fvisibility=hidden $(WS_CFLAGS) $(PLUGIN_SRCS) -o $@ $(WS_LIBS)

$(BUILD)/test/unit_%: test/unit_%.c $(USER_SRCS) $(wildcard test/*.h utils/*.h pcapio/*.h) | $(BUILD)/.dir
	$(CC) $(CFLAGS) $(GLIB_CFLAGS) $< $(USER_SRCS) -o $@ -lpcap $(LIBS)

$(BUILD)/test/san_%: test/unit_%.c $(USER_SRCS) $(wildcard test/*.h utils/*.h pcapio/*.h) | $(BUILD)/.dir
	$(CC) $(CFLAGS) $(SANITIZE) $(GLIB_CFLAGS) $< $(USER_SRCS) -o $@ -lpcap $(LIBS)

$(BUILD)/test/traffic: test/traffic.c | $(BUILD)/.dir
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

# The group wireshark stays: Wireshark's own dumpcap may use it.
uninstall:
	rm -f $(DESTDIR)$(EXTCAPDIR)/ebpfcap $(DESTDIR)$(WS_PLUGINDIR)/epan/ebpfflow.so
	rm -rf $(DESTDIR)$(PROFILEDIR)

# The main job: a live capture of "eBPF Events" shown through tshark.
demo: deps
	$(MAKE) all install
	sh test/demo.sh $(BUILD)

check: deps
	$(MAKE) all install
	sh test/run.sh $(BUILD)

# make bench: ratios against the workload alone, measured in the same run.
$(BUILD)/bench/loadgen: bench/loadgen.c
	mkdir -p $(BUILD)/bench && $(CC) $(CFLAGS) $< -o $@

bench: deps
	$(MAKE) all install $(BUILD)/bench/loadgen
	command -v bpftrace >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q bpftrace >/dev/null
	sh bench/run.sh $(BUILD)

# The long fuzz run of the dissector (make check runs 200000 records).
fuzz: deps
	$(MAKE) all install
	FUZZ_RECORDS=2000000 sh test/run.sh $(BUILD) t_dissector_fuzz

# The long soak: one capture under a steady connection storm for 10 minutes,
# memory flat and nothing lost (make check runs it for 30 s).
soak: deps
	$(MAKE) all install
	SOAK_SECONDS=600 sh test/run.sh $(BUILD) t_soak

clean:
	rm -rf $(BUILD)
