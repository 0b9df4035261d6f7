# interop-testbed: the one entry point.
#
#   make run          build everything, run every suite, write build/report/
#   make test         every test of every language; ends with "N passed, N failed"
#   make bench        atomic-increment cost per binding under JMH, build/report/bench.json
#   make bench-litmus the litmus engine against jcstress, build/report/bench-litmus.json
#   make bench-cancel cancel latency beside the gRPC round trip and the floor, two goal lines
#   make litmus TEST=FILE [RUNTIMES=java,c]   judge a litmus file with the model and run it
#   make litmus-model TEST=FILE|DIR           judge litmus files only (nothing runs)
#   make compare A=REPORT.json B=REPORT.json   two runs side by side, build/report/compare.html
#   make report-check open report.html (and compare.html) in headless Chromium, screenshots
#   make contract     buf lint/breaking, Java-Go wire conformance, generated-code
#                     freshness, the region and litmus-section layout contracts (docs/CONTRACT.md)
#   make audit        what every kernel compiled to on x86_64 and arm64, against the mappings
#   make cross-arm64  cross-compile the shim and the peer for arm64 (and test under qemu)
#   make clean        remove build/
#
# Variables: MODE=quick|default|tough (suite sizes), SUITE=one suite (`run --help` lists them),
#            FILTER=REGEX (case names, in every suite), JAVA_HOME (a JDK 25).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run
MAKEFLAGS += --no-print-directory

ROOT  := $(abspath .)
BUILD := $(ROOT)/build
MODE  ?= default

# ---- toolchains ------------------------------------------------------------
# A JDK 25 exactly: the Java core uses preview APIs (StructuredTaskScope), and a
# class file compiled with --enable-preview runs only on the release that
# compiled it. JAVA_HOME wins when it is a 25; otherwise JDK_SEARCH is searched.
JDK_SEARCH ?= /usr/lib/jvm
JDK := $(shell \
  jdk_release() { "$$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }; \
  for d in "$${JAVA_HOME:-}" $(JDK_SEARCH)/*; do \
    if [ -n "$$d" ] && [ -x "$$d/bin/java" ] && [ -x "$$d/bin/javac" ] && [ "$$(jdk_release "$$d")" = 25 ]; then echo "$$d"; break; fi; \
  done)
GO    := $(shell command -v go 2>/dev/null)
CC    := $(shell command -v cc 2>/dev/null || command -v gcc 2>/dev/null)
MVN   := $(shell command -v mvn 2>/dev/null)

JAVA      := $(JDK)/bin/java
# Runtime compilation of the embedded guest (docs/GUEST.md): JVMCI and the Graal compiler
# jars that Maven copies to build/graal/upgrade.
GUEST_JVM_FLAGS := -XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI --upgrade-module-path=$(BUILD)/graal/upgrade --sun-misc-unsafe-memory-access=allow
# Only `run` gets them (it starts guests, and its forked guest litmus group inherits them):
# JVMCI and the upgrade module path slow a JVM's start (no CDS) and would skew the benches.
JVM_FLAGS := --enable-preview --enable-native-access=ALL-UNNAMED
MVN_RUN   := JAVA_HOME=$(JDK) MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow $${MAVEN_OPTS:-}" $(MVN) -B -q -Dstyle.color=never

# Each check prints one line naming what is missing and how to get it.
.PHONY: toolchain
toolchain:
	@if [ -z "$(JDK)" ]; then echo "error: no JDK 25 found (JAVA_HOME='$${JAVA_HOME:-}', none under $(JDK_SEARCH)): install Temurin 25 or set JAVA_HOME to a JDK 25" >&2; exit 2; fi
	@if [ -z "$(GO)" ]; then echo "error: 'go' not found on PATH: install Go 1.24 or newer (https://go.dev/doc/install or Debian's golang-go)" >&2; exit 2; fi
	@if ! $(GO) version | grep -Eq 'go1\.(2[4-9]|[3-9][0-9])'; then echo "error: $$($(GO) version) is too old: Go 1.24 or newer is needed" >&2; exit 2; fi
	@if [ -z "$(CC)" ]; then echo "error: no C compiler ('cc' or 'gcc') on PATH: apt-get install gcc" >&2; exit 2; fi
	@if [ -z "$(MVN)" ]; then echo "error: 'mvn' not found on PATH: apt-get install maven" >&2; exit 2; fi

include native/native.mk
include go-peer/peer.mk
include proto/contract.mk

# ---- Java ------------------------------------------------------------------
JAVA_CP_FILE := $(BUILD)/java.classpath
JAVA_SOURCES := $(shell find java/src/main -name '*.java' 2>/dev/null) $(wildcard proto/interop/v1/*.proto) pom.xml

.PHONY: java
java: toolchain $(JAVA_CP_FILE)

$(JAVA_CP_FILE): $(JAVA_SOURCES)
	@echo "==> java: compiling (Maven; protoc and protoc-gen-grpc-java come from Maven Central)"
	@$(MVN_RUN) -DskipTests package dependency:build-classpath -Dmdep.outputFile=$(JAVA_CP_FILE)

JAVA_CP = $(BUILD)/maven/classes:$$(cat $(JAVA_CP_FILE))
TESTBED_PROPS = -Dtestbed.native.lib=$(NATIVE_LIB) -Dtestbed.peer.bin=$(PEER_BIN) -Dtestbed.layout=$(ROOT)/native/region.layout \
  -Dtestbed.litmus.root=$(ROOT)/litmus -Dtestbed.hsdis.dir=$(BUILD)/hsdis

.PHONY: build
build: toolchain native peer java

# ---- run -------------------------------------------------------------------
# The previous run's report goes first: a build or a run that fails leaves no report
# that a CI could take for this run's (the JVM writes one with the abort as an ERROR).
.PHONY: run clear-report
clear-report:
	@rm -f $(BUILD)/report/report.json $(BUILD)/report/junit.xml $(BUILD)/report/report.html

# The report the run wrote is then opened in a browser (report-check): a page that errs
# fails the run as a failed case would.
run: clear-report build audit-tools audit-hsdis
	@rc=0; $(JAVA) $(JVM_FLAGS) $(GUEST_JVM_FLAGS) $(TESTBED_PROPS) -cp "$(JAVA_CP)" testbed.cli.Main run --mode $(MODE) --report $(BUILD)/report \
	  $(if $(SUITE),--suite $(SUITE)) $(if $(FILTER),--filter '$(FILTER)') || rc=$$?; \
	  if [ -f $(BUILD)/report/report.html ]; then $(REPORT_CHECK) || { [ $$rc -ne 0 ] || rc=1; }; fi; exit $$rc

# ---- litmus files (docs/LITMUS.md) -----------------------------------------------
# make litmus TEST=path/to/file.litmus [RUNTIMES=java,c] [MODE=quick]: judge the file with
# the model, run it (every default pairing, or the runtimes named), print the model line,
# the histogram and herd's observation line, write build/report/. Exit 0 nothing forbidden
# was observed, 1 something was, 2 the file was refused.
# make litmus-model TEST=FILE_OR_DIR [RUNTIMES=...]: judge only; nothing runs.
.PHONY: litmus litmus-model
litmus: clear-report build
	@if [ -z "$(TEST)" ]; then echo "usage: make litmus TEST=path/to/file.litmus [RUNTIMES=java,c] [MODE=quick]" >&2; exit 2; fi
	@$(JAVA) $(JVM_FLAGS) $(GUEST_JVM_FLAGS) $(TESTBED_PROPS) -cp "$(JAVA_CP)" testbed.cli.Main litmus --file '$(TEST)' \
	  --mode $(MODE) --report $(BUILD)/report $(if $(RUNTIMES),--runtimes '$(RUNTIMES)')

litmus-model: java
	@if [ -z "$(TEST)" ]; then echo "usage: make litmus-model TEST=path/to/file.litmus|DIR [RUNTIMES=java,c]" >&2; exit 2; fi
	@$(JAVA) $(JVM_FLAGS) $(TESTBED_PROPS) -cp "$(JAVA_CP)" testbed.cli.Main litmus-model --file '$(TEST)' \
	  $(if $(RUNTIMES),--runtimes '$(RUNTIMES)')

# How fast the broken variants and the guest tests find the observation their verdict needs,
# on this machine (docs/LITMUS.md, "Verdicts that rest on an observation"): REPEAT runs of
# RUN_MS each, without stopping early; build/report/litmus-rates.json.
REPEAT ?= 20
RUN_MS ?= 1000
.PHONY: litmus-rates
litmus-rates: build
	@$(JAVA) $(JVM_FLAGS) $(GUEST_JVM_FLAGS) $(TESTBED_PROPS) -cp "$(JAVA_CP)" testbed.litmus.engine.EvidenceRates \
	  --repeat $(REPEAT) --run-ms $(RUN_MS) --report $(BUILD)/report

# ---- audit -------------------------------------------------------------------
# What every kernel of the canonical suite compiled to, on x86_64 and arm64, against the
# published mappings (docs/MEMORY_MODEL.md). The arm64 cross toolchain and the HotSpot
# disassembler plugin are installed from Debian where this user may; without them those
# cases are SKIPPED, naming the package.
.PHONY: audit audit-tools
# The other instruction set's cross toolchain: aarch64 on an x86_64 machine, x86-64 on an arm64 one.
AUDIT_CROSS := $(if $(filter aarch64 arm64,$(shell uname -m)),x86_64-linux-gnu:x86-64-linux-gnu:amd64,aarch64-linux-gnu:aarch64-linux-gnu:arm64)
audit-tools:
	@$(NATIVE_TOOLS)/need-tool $(word 1,$(subst :, ,$(AUDIT_CROSS)))-gcc optional gcc-$(word 2,$(subst :, ,$(AUDIT_CROSS))) \
	  libc6-dev-$(word 3,$(subst :, ,$(AUDIT_CROSS)))-cross || true
	@$(NATIVE_TOOLS)/need-tool $(word 1,$(subst :, ,$(AUDIT_CROSS)))-objdump optional binutils-$(word 2,$(subst :, ,$(AUDIT_CROSS))) || true

# The HotSpot disassembler plugin for the Java kernels on x86_64: Debian's libhsdis0-fcml
# exports only decode_instructions, which JDK 25 no longer looks up; native/hsdis/hsdis_virtual.c
# adds decode_instructions_virtual in front of it. The JVM that prints the kernels' code finds
# build/hsdis/hsdis-amd64.so on its LD_LIBRARY_PATH; nothing is written into the JDK.
AUDIT_HSDIS_LIB := /usr/lib/x86_64-linux-gnu/libhsdis.so.0
AUDIT_HSDIS     := $(BUILD)/hsdis/hsdis-amd64.so
.PHONY: audit-hsdis
audit-hsdis:
	@if [ "$$(uname -m)" = x86_64 ]; then \
	  $(NATIVE_TOOLS)/need-tool $(AUDIT_HSDIS_LIB) optional libhsdis0-fcml || true; \
	  if [ -e $(AUDIT_HSDIS_LIB) ] && { [ ! -e $(AUDIT_HSDIS) ] || [ native/hsdis/hsdis_virtual.c -nt $(AUDIT_HSDIS) ]; }; then \
	    mkdir -p $(dir $(AUDIT_HSDIS)); echo "  CC      build/hsdis/hsdis-amd64.so"; \
	    $(NATIVE_CC) -std=c11 -O2 -Wall -Wextra -Werror -fPIC -shared -fvisibility=hidden -Wl,--no-undefined \
	      -o $(AUDIT_HSDIS) native/hsdis/hsdis_virtual.c $(AUDIT_HSDIS_LIB); \
	  fi; \
	fi

audit: clear-report audit-tools audit-hsdis java
	@$(JAVA) $(JVM_FLAGS) $(TESTBED_PROPS) -cp "$(JAVA_CP)" testbed.cli.Main run --suite audit --mode $(MODE) --report $(BUILD)/report

# ---- bench -----------------------------------------------------------------
# All three are subcommands of one command, `Main bench atomic|litmus|cancel` (--help lists
# each one's options). The atomic increment runs under JMH, whose forks inherit these flags
# (JMH's harness uses sun.misc.Unsafe: allowed, so that no fork warns of it).
.PHONY: bench
bench: build
	@$(JAVA) $(JVM_FLAGS) --sun-misc-unsafe-memory-access=allow $(TESTBED_PROPS) -cp "$(JAVA_CP)" testbed.cli.Main bench atomic --mode $(MODE) --report $(BUILD)/report

# Cancel propagation p50/p99/max, Java to Go and Go to Java, interleaved with the
# loopback gRPC round trip and the floor (a plain loopback socket to the peer), judged
# against the goal lines but never failing on them (docs/CANCELLATION.md);
# build/report/bench-cancel.json. REFERENCE=blocking-iterator adds, unjudged, Go to Java
# read by a blocking iterator on a virtual thread.
.PHONY: bench-cancel
bench-cancel: build
	@$(JAVA) $(JVM_FLAGS) $(TESTBED_PROPS) -cp "$(JAVA_CP)" testbed.cli.Main bench cancel --mode $(MODE) --report $(BUILD)/report \
	  $(if $(REFERENCE),--reference $(REFERENCE))

# jcstress (Maven Central) is the anchor; it and the tests written for it
# (java/src/jcstress) build only in the bench-litmus profile, into build/jcstress.
JCSTRESS_CP_FILE := $(BUILD)/jcstress/jcstress.classpath
JCSTRESS_SOURCES := $(shell find java/src/jcstress -name '*.java' 2>/dev/null) pom.xml

$(JCSTRESS_CP_FILE): $(JCSTRESS_SOURCES)
	@echo "==> jcstress: compiling the anchor tests (Maven profile bench-litmus)"
	@$(MVN_RUN) -Pbench-litmus compile dependency:build-classpath -Dmdep.outputFile=$(JCSTRESS_CP_FILE)

.PHONY: bench-litmus
bench-litmus: build $(JCSTRESS_CP_FILE)
	@rm -rf $(BUILD)/jcstress/run
	@$(JAVA) $(JVM_FLAGS) $(TESTBED_PROPS) -cp "$(JAVA_CP)" testbed.cli.Main bench litmus --report $(BUILD)/report \
	  --java $(JAVA) --work $(BUILD)/jcstress/run \
	  --jcstress-cp "$(BUILD)/jcstress/maven/classes:$$(cat $(JCSTRESS_CP_FILE))"

# ---- the report's own commands (docs/REPORT.md) ----------------------------------
REPORT_TOOL = $(JAVA) $(JVM_FLAGS) -Djava.awt.headless=true -cp "$(JAVA_CP)"

# make compare A=x86/report.json B=arm64/report.json: per case both verdicts, interesting
# shares and latencies, differences flagged; build/report/compare.html and compare.json.
# Exit 0 when written (flags are findings), 2 when an input is missing or not a report.json.
.PHONY: compare report-check
compare: java
	@if [ -z "$(A)" ] || [ -z "$(B)" ]; then echo "usage: make compare A=path/to/report.json B=path/to/report.json" >&2; exit 2; fi
	@$(REPORT_TOOL) testbed.report.ReportTool compare '$(A)' '$(B)' $(BUILD)/report

# report.html and compare.html in headless Chromium (Debian's chromium, installed here where
# this user may; else the check says SKIPPED): fails on any console message; screenshots
# build/report/report.png and compare.png.
# (Spelled as a variable, not a $(MAKE) call, because make -n runs any line holding $(MAKE).)
REPORT_CHECK = { command -v chromium >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 \
  || bash native/tools/need-tool chromium optional chromium || true; \
  echo "==> report-check: the report's pages in headless Chromium"; \
  $(REPORT_TOOL) testbed.report.BrowserCheck $(BUILD)/report; }
report-check: java
	@$(REPORT_CHECK)

# ---- test ------------------------------------------------------------------
# Every language's tests run even when an earlier one fails; .ci/tally adds the
# counts up and fails if any stage failed or reported nothing.
TEST_RESULTS := $(BUILD)/test-results

.PHONY: test test-c test-go test-java
test: toolchain
	@rm -rf $(TEST_RESULTS); mkdir -p $(TEST_RESULTS)
	@$(MAKE) test-c    || true
	@$(MAKE) test-go   || true
	@$(MAKE) test-java || true
	@bash .ci/tally $(TEST_RESULTS)

test-java: native peer audit-hsdis
	@echo "==> java: JUnit (Maven Surefire)"
	@mkdir -p $(TEST_RESULTS)
	@# The counts are this run's alone: a report left by a test class since renamed or removed
	@# would otherwise be counted (or fail the run) again.
	@rm -rf $(BUILD)/maven/surefire-reports
	@rc=0; $(MVN_RUN) test -Dsurefire.printSummary=true || rc=$$?; \
	  bash .ci/surefire-counts $(BUILD)/maven/surefire-reports > $(TEST_RESULTS)/java.counts; exit $$rc

# ---- contract ----------------------------------------------------------------
# The layout steps (the region, and its litmus section: the C runner's
# "layout" tests cover both), then the contract suite (proto/contract.mk,
# docs/CONTRACT.md): buf lint and breaking, fixtures, wire conformance, freshness.
.PHONY: contract
contract: toolchain check-generated native peer java contract-tools
	@echo "==> contract: region and litmus-section layouts (C, Go, Java against native/region.layout, native/litmus.layout)"
	@$(NATIVE_TEST_BIN) --only layout
	@cd go-peer && $(GO) test -count=1 -run 'TestLayout' ./internal/region/ ./internal/litmus/
	@$(MVN_RUN) test -Dtest='RegionLayoutTest,LitmusLayoutTest' -Dsurefire.failIfNoSpecifiedTests=false
	@$(CONTRACT_CHECK)

# ---- arm64 -------------------------------------------------------------------
.PHONY: cross-arm64
cross-arm64: cross-arm64-native cross-arm64-peer

# ---- clean -------------------------------------------------------------------
.PHONY: clean
clean:
	rm -rf $(BUILD)
