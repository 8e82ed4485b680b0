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
# --tls-secrets: libelf checks libssl's code, libcrypto derives TLS 1.3 secrets.
TLS_LIBS  := -lelf -lcrypto
GLIB_CFLAGS := $(shell pkg-config --cflags glib-2.0 2>/dev/null)

WS_CFLAGS := $(shell pkg-config --cflags wireshark 2>/dev/null)
WS_LIBS   := $(shell pkg-config --libs wireshark 2>/dev/null)
WS_PLUGINDIR := $(shell pkg-config --variable=plugindir wireshark 2>/dev/null)
# Where the installed Wireshark looks for extcaps, as tshark -G folders says ("Extcap path" in
# 4.0, "Global Extcap path" from 4.4 on; Debian: .../lib/<arch>/wireshark/extcap up to 4.4,
# /usr/libexec/wireshark/extcap from 4.6). Without tshark (packaging), from the SDK's version.
WS_VERSION := $(shell pkg-config --modversion wireshark 2>/dev/null)
WS_EXTCAP_TSHARK = $(shell tshark -G folders 2>/dev/null | sed -n 's/^\(Global \)\{0,1\}Extcap path:[[:space:]]*//p' | cut -d: -f1)
WS_EXTCAP_SDK = $(if $(filter 3.% 4.0.% 4.1.% 4.2.% 4.3.% 4.4.% 4.5.%,$(WS_VERSION)),$(shell pkg-config \
	--variable=libdir wireshark)/wireshark/extcap,$(shell pkg-config --variable=prefix wireshark)/libexec/wireshark/extcap)
EXTCAPDIR ?= $(or $(WS_EXTCAP_TSHARK),$(WS_EXTCAP_SDK))
# Stratoshark (0.9 on Wireshark 4.6's libraries) loads plugins from Wireshark's plugin
# directory but runs extcaps from its own: ebpfcap is linked there when it is installed.
STRATO_EXTCAPDIR ?= $(shell strato -G folders 2>/dev/null | sed -n 's/^Global Extcap path:[[:space:]]*//p' | cut -d: -f1)
PROFILEDIR ?= /usr/share/wireshark/profiles/eBPF
MANDIR    ?= /usr/share/man
BINDIR    ?= /usr/bin
TMPFILESDIR ?= /usr/lib/tmpfiles.d

# Debian 12 packages needed to build, run and test (installed by `make deps`); perl, cppcheck,
# clang-tools (scan-build) and bzip2 run Wireshark's review tools (test/e2e/t_ws_review.sh).
DEB_PACKAGES := make gcc libc6-dev clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev pkg-config \
	libpcap-dev libzmq3-dev libglib2.0-dev libwireshark-dev libwiretap-dev \
	libwsutil-dev tshark iproute2 procps docker.io busybox-static valgrind \
	python3 python3-yaml python3-kubernetes libclang-rt-14-dev groff-base libcap2-bin \
	nginx openssl curl libssl-dev gnutls-bin \
	perl cppcheck clang-tools bzip2 \
	bpftrace dnsmasq bind9-dnsutils \
	postgresql openssh-server openssh-client socat

# Sources by what they make. Every source is compiled once per flavour into
# $(BUILD)/<flavour>/ (header dependencies from -MMD), and the shared code is
# one static library per flavour that every binary links. privileges.c is in
# the library: utils/enrich/process.c raises CAP_SYS_PTRACE around its /proc reads.
LIB_SRCS := $(wildcard utils/*.c utils/*/*.c pcapio/*.c) extcap/privileges.c
EXTCAP_SRCS := $(filter-out extcap/privileges.c,$(wildcard extcap/*.c))
# The attribution core is libc only: the plugin links its own -fPIC copy.
PLUGIN_SRCS := $(wildcard dissector/*.c) utils/attrib/socket_owner.c
UNIT_TESTS := $(patsubst test/unit/%.c,$(BUILD)/test/%,$(wildcard test/unit/unit_*.c))
# The same unit tests built with AddressSanitizer and UndefinedBehaviorSanitizer.
SAN_TESTS := $(patsubst test/unit/unit_%.c,$(BUILD)/test/san_%,$(wildcard test/unit/unit_*.c))
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# libFuzzer targets (test/fuzz/fuzz_*.c): clang only; libclang-rt-14-dev has the runtime.
# Named fuzz_*, not unit_*, so test/run.sh does not run them as unit tests.
FUZZ_TARGETS := $(patsubst test/fuzz/%.c,$(BUILD)/test/%,$(wildcard test/fuzz/fuzz_*.c))
FUZZ_CFLAGS := -O1 -g -std=gnu11 -Wall -Wextra -I. -I$(BUILD) \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_LDFLAGS := -fsanitize=fuzzer,address,undefined
FUZZ_SECONDS ?= 600
TEST_TOOLS := $(BUILD)/test/traffic $(BUILD)/test/lossy.bpf.o $(BUILD)/test/gen_records $(BUILD)/test/zmq_peer

# Objects of a flavour: $(call objs,FLAVOUR,SOURCES).
objs = $(patsubst %.c,$(BUILD)/$(1)/%.o,$(2))
LIB     := $(BUILD)/obj/libebpfcap.a
SAN_LIB := $(BUILD)/san/libebpfcap.a
FUZZ_LIB := $(BUILD)/fuzz/libebpfcap.a
EXTCAP_OBJS := $(call objs,obj,$(EXTCAP_SRCS))

# Only for make gui-check: the Qt Wireshark under a virtual X server.
GUI_PACKAGES := wireshark xvfb xdotool imagemagick fonts-dejavu-core

.SECONDARY:

.PHONY: all deps demo check install uninstall clean bench fuzz image gui-check soak compat

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

$(BUILD)/ebpfcap.bpf.o: bpf/ebpfcap.bpf.c bpf/ebpf_maps.h bpf/ebpf_record.h bpf/task_filter.bpf.h $(BUILD)/vmlinux.h
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(BUILD) -I. -c $< -o $@

$(BUILD)/ebpfcap.skel.h: $(BUILD)/ebpfcap.bpf.o
	$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

# TLS secrets (--tls-secrets): uprobes on libssl, an object of their own.
$(BUILD)/tls.bpf.o: bpf/tls.bpf.c bpf/tls_secret.h bpf/openssl_3_0.h bpf/task_filter.bpf.h $(BUILD)/vmlinux.h
	$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(BUILD) -I. -c $< -o $@

$(BUILD)/tls.skel.h: $(BUILD)/tls.bpf.o
	$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

# One pattern per flavour; -MMD -MP keeps each object's header list in a .d beside it.
$(BUILD)/obj/%.o: %.c | $(BUILD)/.dir
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(GLIB_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/san/%.o: %.c | $(BUILD)/.dir
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(SANITIZE) $(GLIB_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/fuzz/%.o: %.c | $(BUILD)/.dir
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) $(GLIB_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/pic/%.o: %.c | $(BUILD)/.dir
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -fPIC -fvisibility=hidden $(WS_CFLAGS) -MMD -MP -c $< -o $@

-include $(shell find $(BUILD)/obj $(BUILD)/san $(BUILD)/fuzz $(BUILD)/pic -name '*.d' -type f 2>/dev/null)

# The skeletons are generated: objects that include one wait for it (the first build has no .d yet).
$(EXTCAP_OBJS) $(call objs,obj,bench/kdrain.c bench/micro.c): | $(BUILD)/ebpfcap.skel.h $(BUILD)/tls.skel.h

$(LIB): $(call objs,obj,$(LIB_SRCS))
$(SAN_LIB): $(call objs,san,$(LIB_SRCS))
$(FUZZ_LIB): $(call objs,fuzz,$(LIB_SRCS))
$(LIB) $(SAN_LIB) $(FUZZ_LIB):
	rm -f $@ && ar rcs $@ $^

$(BUILD)/ebpfcap: $(EXTCAP_OBJS) $(LIB)
	$(CC) $(CFLAGS) $^ -o $@ $(LIBS) -lpcap $(TLS_LIBS)

$(BUILD)/ebpfflow.so: $(call objs,pic,$(PLUGIN_SRCS))
	$(CC) $(CFLAGS) -fPIC -shared -fvisibility=hidden $^ -o $@ $(WS_LIBS)

# The library last: an extcap object a test adds (below) may need it.
$(BUILD)/test/unit_%: $(BUILD)/obj/test/unit/unit_%.o $(LIB)
	$(CC) $(CFLAGS) $(filter-out %.a,$^) $(filter %.a,$^) -o $@ -lpcap $(LIBS)

$(BUILD)/test/san_%: $(BUILD)/san/test/unit/unit_%.o $(SAN_LIB)
	$(CC) $(CFLAGS) $(SANITIZE) $(filter-out %.a,$^) $(filter %.a,$^) -o $@ -lpcap $(LIBS)

$(BUILD)/test/fuzz_%: $(BUILD)/fuzz/test/fuzz/fuzz_%.o $(FUZZ_LIB)
	$(CLANG) $(FUZZ_LDFLAGS) $^ -o $@ $(LIBS) -lpcap

# The option table, the reorder window, the filter, when to stop and the TLS key log live in
# extcap/, outside the library.
$(BUILD)/test/unit_options: $(BUILD)/obj/extcap/options.o
$(BUILD)/test/san_options: $(BUILD)/san/extcap/options.o
$(BUILD)/test/unit_stop: $(BUILD)/obj/extcap/stop.o
$(BUILD)/test/san_stop: $(BUILD)/san/extcap/stop.o
$(BUILD)/test/unit_reorder: $(BUILD)/obj/extcap/reorder.o
$(BUILD)/test/san_reorder: $(BUILD)/san/extcap/reorder.o
$(BUILD)/test/unit_filter: $(BUILD)/obj/extcap/filter.o
$(BUILD)/test/san_filter: $(BUILD)/san/extcap/filter.o
$(BUILD)/test/unit_tls_keylog: $(BUILD)/obj/extcap/tls_keylog.o
$(BUILD)/test/san_tls_keylog: $(BUILD)/san/extcap/tls_keylog.o
$(BUILD)/test/unit_tls_keylog $(BUILD)/test/san_tls_keylog: LIBS += $(TLS_LIBS)

$(BUILD)/test/traffic: test/helpers/traffic.c test/helpers/bounded_fork.h | $(BUILD)/.dir
	$(CC) $(CFLAGS) $< -o $@

# Test helper: synthetic exporters (and hostile ones) for the ZMQ collector.
$(BUILD)/test/zmq_peer: $(BUILD)/obj/test/helpers/zmq_peer.o $(LIB)
	$(CC) $(CFLAGS) $^ -o $@ $(LIBS) -lpcap

$(BUILD)/test/gen_records: $(BUILD)/obj/test/helpers/gen_records.o $(LIB)
	$(CC) $(CFLAGS) $^ -o $@ $(LIBS) -lpcap

# Test helper: a tc program that drops packets (this kernel has no netem).
$(BUILD)/test/lossy.bpf.o: test/helpers/lossy.bpf.c | $(BUILD)/.dir
	$(CLANG) -g -O2 -target bpf -I/usr/include/$(shell $(CC) -dumpmachine) -c $< -o $@

# Captures without root, as dumpcap does it: the extcap is root:wireshark
# 0750 with file capabilities, so members of group wireshark can capture.
# The capability set lives in extcap/privileges.c; `ebpfcap --capabilities`
# prints it (test/e2e/t_nonroot.sh uses the same). Only on the live system
# (empty DESTDIR): packagers run the groupadd/chgrp/setcap lines in postinst.
# setcap comes last: chown/chgrp clear file capabilities.
install: $(BUILD)/ebpfcap $(BUILD)/ebpfflow.so
	install -D -m 0755 $(BUILD)/ebpfcap $(DESTDIR)$(EXTCAPDIR)/ebpfcap
	if [ -z "$(DESTDIR)" ]; then \
		groupadd -f -r wireshark && chgrp wireshark $(EXTCAPDIR)/ebpfcap && chmod 0750 $(EXTCAPDIR)/ebpfcap && \
		setcap "$$($(BUILD)/ebpfcap --capabilities)" $(EXTCAPDIR)/ebpfcap && \
		install -d -m 3770 -g wireshark /run/ebpfcap; \
	fi
	install -D -m 0644 docs/deploy/tmpfiles.conf $(DESTDIR)$(TMPFILESDIR)/ebpfcap.conf
	install -D -m 0644 $(BUILD)/ebpfflow.so $(DESTDIR)$(WS_PLUGINDIR)/epan/ebpfflow.so
	install -D -m 0644 dissector/profile/eBPF/preferences $(DESTDIR)$(PROFILEDIR)/preferences
	install -D -m 0644 dissector/profile/eBPF/colorfilters $(DESTDIR)$(PROFILEDIR)/colorfilters
	install -D -m 0644 docs/ebpfcap.1 $(DESTDIR)$(MANDIR)/man1/ebpfcap.1
	install -d $(DESTDIR)$(BINDIR) && ln -sf $(EXTCAPDIR)/ebpfcap $(DESTDIR)$(BINDIR)/ebpfcap # the CLI on PATH
	if [ -n "$(STRATO_EXTCAPDIR)" ]; then \
		install -d $(DESTDIR)$(STRATO_EXTCAPDIR) && ln -sf $(EXTCAPDIR)/ebpfcap $(DESTDIR)$(STRATO_EXTCAPDIR)/ebpfcap; \
	fi

# The group wireshark stays: Wireshark's own dumpcap may use it.
uninstall:
	rm -f $(DESTDIR)$(EXTCAPDIR)/ebpfcap $(DESTDIR)$(WS_PLUGINDIR)/epan/ebpfflow.so
	rm -f $(DESTDIR)$(MANDIR)/man1/ebpfcap.1 $(DESTDIR)$(BINDIR)/ebpfcap $(DESTDIR)$(TMPFILESDIR)/ebpfcap.conf
	[ -z "$(STRATO_EXTCAPDIR)" ] || rm -f $(DESTDIR)$(STRATO_EXTCAPDIR)/ebpfcap
	rm -rf $(DESTDIR)$(PROFILEDIR)

# The exporter's container image (docs/deploy/): FROM scratch with the binary and
# what ldd lists, built by the local Docker Engine from $(BUILD)/image (no registry).
IMAGE_TAG ?= ebpfcap-exporter:latest
image: $(BUILD)/ebpfcap
	sh docs/deploy/build-image.sh $(BUILD) $(IMAGE_TAG)

# Debian's kubectl (kubernetes-client) for test/e2e/t_deploy_manifest.sh, unpacked here rather
# than installed: where another package owns /usr/bin/kubectl (the google-cloud-cli one
# on these machines) dpkg refuses to install it.
KUBECTL := $(BUILD)/tools/usr/bin/kubectl
$(KUBECTL): | $(BUILD)/.dir
	mkdir -p $(BUILD)/tools && rm -f $(BUILD)/tools/*.deb
	cd $(BUILD)/tools && { apt-get download -q kubernetes-client || { apt-get update -q && apt-get download -q kubernetes-client; }; }
	dpkg -x $(BUILD)/tools/kubernetes-client_*.deb $(BUILD)/tools && rm $(BUILD)/tools/kubernetes-client_*.deb
	touch $@

# Every Wireshark a user has: bookworm (4.0, this machine), trixie (4.4) and sid (4.6) in
# debootstrap chroots cached in $(BUILD)/compat; builds, installs and runs the dissector
# and extcap tests with each version's tshark (test/compat/run.sh). Cold: the chroots
# are downloaded; warm: reused. COMPAT_SUITES="trixie sid" for CI.
COMPAT_SUITES ?= bookworm trixie sid
compat: deps
	@$(MAKE) --no-print-directory deps DEB_PACKAGES="debootstrap"
	sh test/compat/run.sh $(BUILD) "$(COMPAT_SUITES)"

# The main job: a live capture of "eBPF Events" shown through tshark.
demo: deps
	$(MAKE) all install
	sh test/demo.sh $(BUILD)

check: deps
	$(MAKE) all install $(KUBECTL) $(BUILD)/bench/loadgen
	sh test/run.sh $(BUILD)

# make bench: ratios against baselines measured in the same run (bench/run.sh says which).
# bpftrace and tcpdump are what ebpfcap is compared with, gnuplot draws the sweep,
# ethtool turns the bench veth's offloads off.
BENCH_PACKAGES := bpftrace tcpdump gnuplot-nox ethtool
BENCH_TOOLS := $(BUILD)/bench/loadgen $(BUILD)/bench/kdrain $(BUILD)/bench/micro

$(BUILD)/bench/loadgen: bench/loadgen.c test/helpers/bounded_fork.h
	mkdir -p $(BUILD)/bench && $(CC) $(CFLAGS) $< -o $@

# The kernel side alone: ebpfcap's programs attached, events drained and discarded.
$(BUILD)/bench/kdrain: $(call objs,obj,bench/kdrain.c extcap/kernel_events.c) $(LIB)
	mkdir -p $(BUILD)/bench && $(CC) $(CFLAGS) $^ -o $@ $(LIBS)

# The per-event user-space path; micro.c links the capture's objects to time its own capture_on_event().
$(BUILD)/bench/micro: $(BUILD)/obj/bench/micro.o $(filter-out %/main.o,$(EXTCAP_OBJS)) $(LIB)
	mkdir -p $(BUILD)/bench && $(CC) $(CFLAGS) $^ -o $@ $(LIBS) -lpcap $(TLS_LIBS)

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
