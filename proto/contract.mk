# The contract checks (docs/CONTRACT.md): included by the top-level Makefile,
# which defines ROOT, BUILD, GO, JAVA, JVM_FLAGS, JAVA_CP, MVN_RUN, and the
# peer's GEN_* and PEER_* names. Every name defined here starts with CONTRACT_.
#
#   make contract-tools      buf (pinned), the Go contract command, the Go layout
#                            test binary, protoc and its Go plugins
#   make contract-check      the contract suite alone (make contract runs it last)
#   make contract-goldens    rewrite proto/testdata/conformance/*.binpb from the
#                            .txtpb descriptions (Go's deterministic encoding)
#   make contract-baseline   rewrite proto/baseline.binpb, the baseline a clone
#                            without the main branch is checked against
#
# Variables for make contract / contract-check:
#   CONTRACT_BASE_BRANCH=main    the branch whose proto/ is the baseline
#   CONTRACT_AGAINST=INPUT       any buf input instead (a directory, an image)
#   CONTRACT_SCHEMA=DIR          check another schema directory than proto/

# buf comes from the npm registry as the prebuilt binary package for this
# machine (@bufbuild/buf-linux-x64 or -aarch64), pinned exactly; install
# scripts are not run. docs/CONTRACT.md says why npm rather than go install.
CONTRACT_BUF_VERSION := 1.75.0
CONTRACT_BUF_PACKAGE := @bufbuild/buf-$(if $(filter x86_64 amd64,$(GEN_MACHINE)),linux-x64,$(if $(filter aarch64 arm64,$(GEN_MACHINE)),linux-aarch64,unsupported-$(GEN_MACHINE)))
CONTRACT_BUF_NPM     := $(GEN_TOOLS)/buf-npm
CONTRACT_BUF         := $(GEN_GOBIN)/buf
CONTRACT_BUF_STAMP   := $(GEN_GOBIN)/.buf-$(CONTRACT_BUF_VERSION)

CONTRACT_TOOL_BIN        := $(BUILD)/bin/interop-contract
CONTRACT_GO_LAYOUT_TEST  := $(BUILD)/contract/region-layout.test
CONTRACT_CORPUS          := $(ROOT)/proto/testdata/conformance
CONTRACT_BASELINE_IMAGE  := $(ROOT)/proto/baseline.binpb
CONTRACT_REPORT          := $(BUILD)/contract/report

CONTRACT_BASE_BRANCH ?= main
CONTRACT_AGAINST     ?=
CONTRACT_SCHEMA      ?=
CONTRACT_ARGS = --branch $(CONTRACT_BASE_BRANCH) --report $(CONTRACT_REPORT) \
  $(if $(CONTRACT_AGAINST),--against $(CONTRACT_AGAINST)) $(if $(CONTRACT_SCHEMA),--schema $(CONTRACT_SCHEMA))

CONTRACT_NEED_NPM = if ! command -v npm >/dev/null 2>&1; then echo "error: 'npm' not found on PATH: buf $(CONTRACT_BUF_VERSION) is installed from the npm registry (apt-get install npm, or Node.js 18 or newer)" >&2; exit 2; fi

$(CONTRACT_BUF_STAMP):
	@$(CONTRACT_NEED_NPM)
	@case "$(CONTRACT_BUF_PACKAGE)" in *unsupported-*) echo "error: no buf build for machine '$(GEN_MACHINE)' (buf ships for x86_64 and aarch64)" >&2; exit 2;; esac
	@echo "==> contract: installing buf $(CONTRACT_BUF_VERSION) ($(CONTRACT_BUF_PACKAGE), npm registry)"
	@rm -rf $(CONTRACT_BUF_NPM) && mkdir -p $(CONTRACT_BUF_NPM) $(GEN_GOBIN)
	@out=$$(npm install --prefix $(CONTRACT_BUF_NPM) --no-save --no-package-lock --no-audit --no-fund --ignore-scripts \
	    --loglevel=error $(CONTRACT_BUF_PACKAGE)@$(CONTRACT_BUF_VERSION) 2>&1) || { echo "$$out" >&2; exit 1; }
	@cp $(CONTRACT_BUF_NPM)/node_modules/$(CONTRACT_BUF_PACKAGE)/bin/buf $(CONTRACT_BUF).tmp && chmod +x $(CONTRACT_BUF).tmp
	@v=$$($(CONTRACT_BUF).tmp --version); if [ "$$v" != "$(CONTRACT_BUF_VERSION)" ]; then \
	  echo "error: the npm package $(CONTRACT_BUF_PACKAGE)@$(CONTRACT_BUF_VERSION) holds buf '$$v'" >&2; rm -f $(CONTRACT_BUF).tmp; exit 1; fi
	@mv $(CONTRACT_BUF).tmp $(CONTRACT_BUF) && rm -f $(GEN_GOBIN)/.buf-* && touch $@

$(CONTRACT_TOOL_BIN): $(PEER_SOURCES)
	@$(PEER_NEED_GO)
	@echo "==> go: building $(CONTRACT_TOOL_BIN)"
	@cd $(PEER_DIR) && $(PEER_GO) build -trimpath -o $@ ./cmd/interop-contract

$(CONTRACT_GO_LAYOUT_TEST): $(PEER_SOURCES)
	@$(PEER_NEED_GO)
	@echo "==> go: building the region layout tests ($(patsubst $(ROOT)/%,%,$@))"
	@mkdir -p $(dir $@)
	@cd $(PEER_DIR) && $(PEER_GO) test -c -trimpath -o $@ ./internal/region

.PHONY: contract-tools
contract-tools: $(CONTRACT_BUF_STAMP) $(CONTRACT_TOOL_BIN) $(CONTRACT_GO_LAYOUT_TEST) $(GEN_TOOLCHAIN)

# The suite's tests need the tools; so does the contract suite of `make run`.
test-java: contract-tools
build: contract-tools

CONTRACT_CHECK = $(JAVA) $(JVM_FLAGS) -cp "$(JAVA_CP)" testbed.contract.ContractCheck $(CONTRACT_ARGS)

.PHONY: contract-check
contract-check: toolchain native java contract-tools
	@$(CONTRACT_CHECK)

.PHONY: contract-goldens
contract-goldens: $(CONTRACT_TOOL_BIN)
	@cd $(ROOT) && $(CONTRACT_TOOL_BIN) goldens -write $(patsubst $(ROOT)/%,%,$(CONTRACT_CORPUS))

.PHONY: contract-baseline
contract-baseline: $(CONTRACT_BUF_STAMP)
	@cd $(ROOT) && $(CONTRACT_BUF) build proto -o $(patsubst $(ROOT)/%,%,$(CONTRACT_BASELINE_IMAGE))
	@echo "wrote $(patsubst $(ROOT)/%,%,$(CONTRACT_BASELINE_IMAGE)) from proto/ ($$(git -C $(ROOT) rev-parse --short HEAD 2>/dev/null || echo 'no git'))"
