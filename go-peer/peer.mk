# The Go peer: included by the top-level Makefile, which defines ROOT, BUILD,
# GO, MVN_RUN and TEST_RESULTS.
#
#   make peer              build $(PEER_BIN)
#   make test-go           go test ./... ; $(TEST_RESULTS)/go.json and go.counts
#   make gen-go            regenerate go-peer/internal/gen from proto/ (committed)
#   make check-generated   fail if the committed generated code is stale
#   make cross-arm64-peer  build the peer and its tests for arm64; run the tests
#                          under qemu-aarch64 when it is on PATH
#
# The generated Go code is committed so that building, testing and
# cross-compiling the peer need neither protoc nor its plugins.

PEER_DIR     := $(ROOT)/go-peer
PEER_BIN     := $(BUILD)/bin/interop-peer
GRPC_INTEROP_CLIENT_BIN := $(BUILD)/bin/grpc-interop-client
PEER_GO      := GOTOOLCHAIN=local $(GO)
# The peer links the shim's native workers with cgo (internal/nativework): the
# native build requires cgo and the top-level Makefile's C compiler, so that a
# machine without one fails here, naming it, instead of building a peer
# without native workers whose case then errs at run time. (The cross-compiled
# arm64 peer is built without cgo and has no native workers: cross-arm64-peer.)
PEER_CGO     := CGO_ENABLED=1 CC=$(CC)
PEER_SOURCES := $(shell find $(PEER_DIR) -type f \( -name '*.go' -o -name '*.c' -o -name go.mod -o -name go.sum \) 2>/dev/null) \
  $(wildcard $(ROOT)/native/src/workers.c $(ROOT)/native/src/threads.c $(ROOT)/native/src/threads.h $(ROOT)/native/include/*.h)

# One line naming what is missing when there is no Go toolchain, or no C compiler for cgo.
PEER_NEED_GO = if [ -z "$(GO)" ]; then echo "error: 'go' not found on PATH: install Go 1.24 or newer" >&2; exit 2; fi
PEER_NEED_CC = if [ -z "$(CC)" ]; then echo "error: no C compiler ('cc' or 'gcc') on PATH: the peer links the shim's native workers with cgo: apt-get install gcc" >&2; exit 2; fi

.PHONY: peer
peer: $(PEER_BIN) $(GRPC_INTEROP_CLIENT_BIN)

# Each command is built from its ./cmd directory of the same name: the peer, and
# grpc-go's interop client functions as a command, run by the harness against
# grpc-java's interop server (docs/CANCELLATION.md); found beside the peer.
$(BUILD)/bin/%: $(PEER_SOURCES)
	@$(PEER_NEED_GO)
	@$(PEER_NEED_CC)
	@echo "==> go: building $@"
	@cd $(PEER_DIR) && $(PEER_CGO) $(PEER_GO) build -trimpath -o $@ ./cmd/$*

# ---- tests -------------------------------------------------------------------
# go.counts is "<passed> <failed>" over test-level events (subtests included);
# a run that fails without a failing test (a build error, a crash in TestMain)
# counts as one failure per failed package.
.PHONY: test-go
test-go:
	@$(PEER_NEED_GO)
	@$(PEER_NEED_CC)
	@echo "==> go: tests"
	@mkdir -p $(TEST_RESULTS)
	@rc=0; cd $(PEER_DIR) && $(PEER_CGO) $(PEER_GO) test -count=1 -timeout 5m -json ./... > $(TEST_RESULTS)/go.json || rc=$$?; \
	  awk -v counts=$(TEST_RESULTS)/go.counts -v rc=$$rc -f $(PEER_DIR)/test-summary.awk $(TEST_RESULTS)/go.json; \
	  exit $$rc

# ---- generated code ----------------------------------------------------------
# Pins. protoc is the one the Java build uses (pom.xml protobuf.version);
# protoc-gen-go matches the google.golang.org/protobuf runtime in go.mod;
# protoc-gen-go-grpc v1.6.1 is the newest that builds with Go 1.24.
GEN_PROTOC_VERSION             := 4.36.2
GEN_PROTOC_GEN_GO_VERSION      := v1.36.11
GEN_PROTOC_GEN_GO_GRPC_VERSION := v1.6.1
GEN_MVN_DEPENDENCY_PLUGIN      := org.apache.maven.plugins:maven-dependency-plugin:3.8.1

GEN_TOOLS      := $(BUILD)/tools
GEN_GOBIN      := $(GEN_TOOLS)/bin
GEN_MACHINE    := $(shell uname -m)
GEN_CLASSIFIER := $(if $(filter x86_64 amd64,$(GEN_MACHINE)),linux-x86_64,$(if $(filter aarch64 arm64,$(GEN_MACHINE)),linux-aarch_64,unsupported-$(GEN_MACHINE)))
GEN_PROTOC     := $(GEN_TOOLS)/protoc-$(GEN_PROTOC_VERSION)-$(GEN_CLASSIFIER).exe
GEN_PROTOC_GEN_GO      := $(GEN_GOBIN)/protoc-gen-go
GEN_PROTOC_GEN_GO_GRPC := $(GEN_GOBIN)/protoc-gen-go-grpc
# Stamps name the pinned versions, so changing a pin reinstalls the plugin.
GEN_GO_STAMP   := $(GEN_GOBIN)/.protoc-gen-go-$(GEN_PROTOC_GEN_GO_VERSION)
GEN_GRPC_STAMP := $(GEN_GOBIN)/.protoc-gen-go-grpc-$(GEN_PROTOC_GEN_GO_GRPC_VERSION)

GEN_PROTOS  := $(patsubst $(ROOT)/proto/%,%,$(wildcard $(ROOT)/proto/interop/v1/*.proto))
GEN_GO_ROOT := $(PEER_DIR)/internal/gen
GEN_GO_DIR  := $(GEN_GO_ROOT)/interop/v1

$(GEN_PROTOC):
	@echo "==> go: fetching protoc $(GEN_PROTOC_VERSION) ($(GEN_CLASSIFIER)) from Maven Central"
	@case "$(GEN_CLASSIFIER)" in unsupported-*) echo "error: no protoc build for machine '$(GEN_MACHINE)' (protoc ships for x86_64 and aarch64)" >&2; exit 2;; esac
	@mkdir -p $(GEN_TOOLS)
	@cd $(ROOT) && out=$$($(MVN_RUN) $(GEN_MVN_DEPENDENCY_PLUGIN):copy \
	  -Dartifact=com.google.protobuf:protoc:$(GEN_PROTOC_VERSION):exe:$(GEN_CLASSIFIER) \
	  -DoutputDirectory=$(GEN_TOOLS) -Dmdep.overWriteReleases=true 2>&1) || { echo "$$out" >&2; exit 1; }
	@chmod +x $@

$(GEN_GO_STAMP):
	@$(PEER_NEED_GO)
	@echo "==> go: installing protoc-gen-go $(GEN_PROTOC_GEN_GO_VERSION)"
	@GOBIN=$(GEN_GOBIN) $(PEER_GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(GEN_PROTOC_GEN_GO_VERSION)
	@touch $@

$(GEN_GRPC_STAMP):
	@$(PEER_NEED_GO)
	@echo "==> go: installing protoc-gen-go-grpc $(GEN_PROTOC_GEN_GO_GRPC_VERSION)"
	@GOBIN=$(GEN_GOBIN) $(PEER_GO) install google.golang.org/grpc/cmd/protoc-gen-go-grpc@$(GEN_PROTOC_GEN_GO_GRPC_VERSION)
	@touch $@

GEN_TOOLCHAIN := $(GEN_PROTOC) $(GEN_GO_STAMP) $(GEN_GRPC_STAMP)

# GEN_GO_INTO generates the Go code for proto/ under the directory $(1), laid
# out as under internal/gen (paths=source_relative: interop/v1/*.go).
GEN_GO_INTO = $(GEN_PROTOC) -I $(ROOT)/proto \
  --plugin=protoc-gen-go=$(GEN_PROTOC_GEN_GO) --plugin=protoc-gen-go-grpc=$(GEN_PROTOC_GEN_GO_GRPC) \
  --go_out=$(1) --go_opt=paths=source_relative \
  --go-grpc_out=$(1) --go-grpc_opt=paths=source_relative \
  $(GEN_PROTOS)

# The new code is generated aside and then swapped in, so a failed run leaves
# the committed code as it was and a removed .proto leaves no stale file.
.PHONY: gen-go
gen-go: $(GEN_TOOLCHAIN)
	@echo "==> go: generating $(patsubst $(ROOT)/%,%,$(GEN_GO_DIR)) from proto/"
	@tmp=$$(mktemp -d "$${TMPDIR:-/tmp}/interop-gen-go.XXXXXX"); trap 'rm -rf "$$tmp"' EXIT; \
	  cd $(ROOT)/proto && $(call GEN_GO_INTO,$$tmp); \
	  rm -rf $(GEN_GO_DIR) && mkdir -p $(dir $(GEN_GO_DIR)) && cp -R "$$tmp/interop/v1" $(GEN_GO_DIR)

.PHONY: check-generated
check-generated: $(GEN_TOOLCHAIN)
	@echo "==> go: checking $(patsubst $(ROOT)/%,%,$(GEN_GO_DIR)) against proto/"
	@tmp=$$(mktemp -d "$${TMPDIR:-/tmp}/interop-gen-go.XXXXXX"); trap 'rm -rf "$$tmp"' EXIT; \
	  cd $(ROOT)/proto && $(call GEN_GO_INTO,$$tmp); \
	  if [ ! -d $(GEN_GO_DIR) ]; then \
	    echo "error: stale generated Go code: $(patsubst $(ROOT)/%,%,$(GEN_GO_DIR)) is missing: run 'make gen-go' and commit the result" >&2; exit 1; \
	  fi; \
	  if ! diff -r -q "$$tmp/interop/v1" $(GEN_GO_DIR) >/dev/null 2>&1; then \
	    stale=$$(diff -r -q "$$tmp/interop/v1" $(GEN_GO_DIR) 2>&1 \
	      | sed -E -e 's|^Files .* and (.*) differ$$|\1|' \
	               -e "s|^Only in $$tmp/interop/v1: (.*)$$|$(GEN_GO_DIR)/\1 (missing)|" \
	               -e 's|^Only in ([^:]*): (.*)$$|\1/\2 (not generated)|' \
	               -e 's|^$(ROOT)/||' \
	      | paste -sd ',' | sed 's/,/, /g' || true); \
	    echo "error: stale generated Go code: $$stale: run 'make gen-go' and commit the result" >&2; \
	    exit 1; \
	  fi

# ---- arm64 -------------------------------------------------------------------
CROSS_ARM64_DIR  := $(BUILD)/arm64
CROSS_ARM64_BIN  := $(CROSS_ARM64_DIR)/bin/interop-peer
CROSS_ARM64_TEST := $(CROSS_ARM64_DIR)/go-test
# Without cgo: the arm64 peer has no native workers (internal/nativework's
# no-cgo build refuses peer_native_workers with FAILED_PRECONDITION), so
# peer_native_worker_cancelled_by_java is an ERROR against it.
CROSS_ENV        := GOOS=linux GOARCH=arm64 CGO_ENABLED=0
CROSS_QEMU       := $(shell command -v qemu-aarch64 2>/dev/null)

# The process tests (package interop-peer) run the arm64 peer through
# qemu-aarch64 themselves (INTEROP_PEER_WRAPPER), so binfmt_misc is not needed.
# INTEROP_UNDER_QEMU=1 tells the litmus tests that the memory ordering they see
# is the emulator's: qemu-user on an x86_64 host lets arm64's LDAR pass an
# earlier STLR, so the store-buffering tests do not judge an emulated run.
.PHONY: cross-arm64-peer
cross-arm64-peer:
	@$(PEER_NEED_GO)
	@echo "==> go: cross-compiling the peer for arm64"
	@rm -rf $(CROSS_ARM64_TEST) && mkdir -p $(dir $(CROSS_ARM64_BIN)) $(CROSS_ARM64_TEST)
	@cd $(PEER_DIR) && $(CROSS_ENV) $(PEER_GO) build -trimpath -o $(CROSS_ARM64_BIN) ./cmd/interop-peer
	@cd $(PEER_DIR) && $(CROSS_ENV) $(PEER_GO) build -trimpath -o $(CROSS_ARM64_DIR)/bin/grpc-interop-client ./cmd/grpc-interop-client
	@cd $(PEER_DIR) && for pkg in $$($(PEER_GO) list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}{{end}}' ./...); do \
	    $(CROSS_ENV) $(PEER_GO) test -c -trimpath -o $(CROSS_ARM64_TEST)/$$(basename $$pkg).test $$pkg; \
	  done
	@echo "    $(CROSS_ARM64_BIN)"; ls $(CROSS_ARM64_TEST) | sed 's|^|    $(CROSS_ARM64_TEST)/|'
	@if [ -z "$(CROSS_QEMU)" ]; then \
	  echo "==> go: arm64 emulation skipped: qemu-aarch64 is not on PATH (apt-get install qemu-user)"; exit 0; \
	fi; \
	echo "==> go: running the arm64 tests under $(CROSS_QEMU)"; \
	failed=0; \
	for pkg in $$(cd $(PEER_DIR) && $(PEER_GO) list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}}|{{.Dir}}{{end}}' ./...); do \
	  name=$$(basename $${pkg%%|*}); dir=$${pkg#*|}; \
	  if (cd $$dir && INTEROP_UNDER_QEMU=1 INTEROP_PEER_BIN=$(CROSS_ARM64_BIN) INTEROP_PEER_WRAPPER=$(CROSS_QEMU) INTEROP_LAYOUT=$(ROOT)/native/region.layout \
	        timeout 600 $(CROSS_QEMU) $(CROSS_ARM64_TEST)/$$name.test -test.v -test.count=1 -test.timeout=5m > $(CROSS_ARM64_TEST)/$$name.log 2>&1); then \
	    echo "ok   $$name (arm64, emulated: $$(grep -c -- '--- PASS' $(CROSS_ARM64_TEST)/$$name.log) tests passed)"; \
	  else \
	    echo "FAIL $$name (arm64, emulated): see $(CROSS_ARM64_TEST)/$$name.log"; tail -n 20 $(CROSS_ARM64_TEST)/$$name.log; failed=1; \
	  fi; \
	done; \
	exit $$failed
