# native/native.mk: the C shim (libinterop) and its unit-test runner.
#
# Included by the top Makefile, which provides ROOT, BUILD, CC and (for the
# recipes) TEST_RESULTS. Every name defined here starts with NATIVE_ or CROSS_.
#
#   make native               build/native/libinterop.so and build/native/interop_test
#   make test-c               run the unit tests: build/test-results/c.log, c.counts
#   make cross-arm64-native   the same two for arm64 in build/arm64/native/, tested under
#                             qemu-aarch64 when it is available
#   make native-tsan          the unit tests under ThreadSanitizer (build/native-tsan/)
#
# V=1 shows the compiler command lines.

NATIVE_DIR       := $(ROOT)/native
NATIVE_LAYOUT    := $(NATIVE_DIR)/region.layout
NATIVE_TOOLS     := $(NATIVE_DIR)/tools
# The makefile that included this one, for the recipes that run make again.
NATIVE_MAKEFILE  := $(firstword $(MAKEFILE_LIST))

NATIVE_OUT       := $(BUILD)/native
NATIVE_LIB       := $(NATIVE_OUT)/libinterop.so
NATIVE_TEST_BIN  := $(NATIVE_OUT)/interop_test
NATIVE_CC        := $(or $(CC),cc)

NATIVE_TSAN_OUT      := $(BUILD)/native-tsan
NATIVE_TSAN_TEST_BIN := $(NATIVE_TSAN_OUT)/interop_test

CROSS_ARM64_CC       := aarch64-linux-gnu-gcc
CROSS_ARM64_SYSROOT  := /usr/aarch64-linux-gnu
CROSS_ARM64_QEMU     := qemu-aarch64
CROSS_ARM64_OUT      := $(BUILD)/arm64/native
CROSS_ARM64_LIB      := $(CROSS_ARM64_OUT)/libinterop.so
CROSS_ARM64_TEST_BIN := $(CROSS_ARM64_OUT)/interop_test

# -fvisibility=hidden: only what interop.h declares (inside its visibility
# push/pop) is exported. The same flags build the tests, so that the runner
# tests the shim exactly as the JVM loads it.
NATIVE_CFLAGS    := -std=c11 -O2 -g -Wall -Wextra -Werror -fPIC -pthread -fvisibility=hidden
NATIVE_CPPFLAGS  := -I$(NATIVE_DIR)/include
NATIVE_DEPFLAGS  := -MMD -MP

NATIVE_LIB_SRCS  := $(wildcard $(NATIVE_DIR)/src/*.c)
NATIVE_TEST_SRCS := $(wildcard $(NATIVE_DIR)/test/*.c)

NATIVE_Q := $(if $(filter 1,$(V)),,@)

# NATIVE_TREE(out_dir, compiler, extra_flags): objects, libinterop.so and
# interop_test under out_dir. Objects depend on the headers they include (the
# compiler's .d files) and on this file (its flags); the runner finds the
# library beside itself ($ORIGIN), wherever the tree is copied.
define NATIVE_TREE
$(1)/obj/%.o: $(NATIVE_DIR)/%.c $(NATIVE_DIR)/native.mk
	@mkdir -p $$(@D)
	@echo "  CC      $$(patsubst $(ROOT)/%,%,$$<)  ($(notdir $(2)))"
	$(NATIVE_Q)$(2) $(NATIVE_CPPFLAGS) $(NATIVE_CFLAGS) $(3) $(NATIVE_DEPFLAGS) -c $$< -o $$@

$(1)/libinterop.so: $(patsubst $(NATIVE_DIR)/%.c,$(1)/obj/%.o,$(NATIVE_LIB_SRCS))
	@echo "  LINK    $$(patsubst $(ROOT)/%,%,$$@)"
	$(NATIVE_Q)$(2) $(NATIVE_CFLAGS) $(3) -shared -Wl,-soname,libinterop.so -Wl,--no-undefined -o $$@ $$^

$(1)/interop_test: $(patsubst $(NATIVE_DIR)/%.c,$(1)/obj/%.o,$(NATIVE_TEST_SRCS)) $(1)/libinterop.so
	@echo "  LINK    $$(patsubst $(ROOT)/%,%,$$@)"
	$(NATIVE_Q)$(2) $(NATIVE_CFLAGS) $(3) -o $$@ $$(filter %.o,$$^) -L$(1) -linterop -Wl,-rpath,'$$$$ORIGIN'

-include $(patsubst $(NATIVE_DIR)/%.c,$(1)/obj/%.d,$(NATIVE_LIB_SRCS) $(NATIVE_TEST_SRCS))
endef

$(eval $(call NATIVE_TREE,$(NATIVE_OUT),$(NATIVE_CC),))
$(eval $(call NATIVE_TREE,$(CROSS_ARM64_OUT),$(CROSS_ARM64_CC),))
$(eval $(call NATIVE_TREE,$(NATIVE_TSAN_OUT),$(NATIVE_CC),-fsanitize=thread))

.PHONY: native test-c cross-arm64-native native-tsan

# The runner is built too: `make contract` runs it (--only layout) after `native`.
native: $(NATIVE_LIB) $(NATIVE_TEST_BIN)

# The counts say "0 1" until the runner's final line replaces them, so a
# runner that fails to build or crashes can never pass.
test-c:
	@echo "==> c: unit tests"
	@mkdir -p $(TEST_RESULTS) && echo "0 1" > $(TEST_RESULTS)/c.counts
	@$(MAKE) -f $(NATIVE_MAKEFILE) $(NATIVE_TEST_BIN) || { echo "error: the C unit tests did not build" | tee $(TEST_RESULTS)/c.log; exit 1; }
	@cd $(ROOT) && $(NATIVE_TOOLS)/run-tests $(TEST_RESULTS)/c.counts $(TEST_RESULTS)/c.log \
	    $(NATIVE_TEST_BIN) --layout $(NATIVE_LAYOUT)

# Builds for arm64 with Debian's cross compiler (installed when this user may),
# then runs the arm64 runner under qemu-user if that is, or can be, installed.
# INTEROP_UNDER_QEMU=1 tells the litmus tests that hardware reorderings they
# would demand natively need not show under an emulator.
cross-arm64-native:
	@echo "==> native: cross-compiling libinterop and interop_test for arm64"
	@$(NATIVE_TOOLS)/need-tool $(CROSS_ARM64_CC) required gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	@$(MAKE) -f $(NATIVE_MAKEFILE) $(CROSS_ARM64_LIB) $(CROSS_ARM64_TEST_BIN)
	@status=0; $(NATIVE_TOOLS)/need-tool $(CROSS_ARM64_QEMU) optional qemu-user || status=$$?; \
	if [ $$status -ne 0 ]; then \
	  echo "note: arm64 emulation skipped: $(CROSS_ARM64_QEMU) is not available; the arm64 binaries are built but untested"; \
	  exit 0; \
	fi; \
	echo "==> c (arm64, $(CROSS_ARM64_QEMU) -L $(CROSS_ARM64_SYSROOT)): unit tests"; \
	rc=0; cd $(ROOT) && $(NATIVE_TOOLS)/run-tests $(CROSS_ARM64_OUT)/c.counts $(CROSS_ARM64_OUT)/c.log \
	    env INTEROP_UNDER_QEMU=1 $(CROSS_ARM64_QEMU) -L $(CROSS_ARM64_SYSROOT) $(CROSS_ARM64_TEST_BIN) --layout $(NATIVE_LAYOUT) || rc=$$?; \
	read -r passed failed < $(CROSS_ARM64_OUT)/c.counts; \
	echo "==> c (arm64 under qemu): $$passed passed, $$failed failed (log: $(patsubst $(ROOT)/%,%,$(CROSS_ARM64_OUT))/c.log)"; \
	exit $$rc

# Data races in the shim or its tests abort the runner (no final line: "0 1").
native-tsan:
	@echo "==> c: unit tests under ThreadSanitizer"
	@$(MAKE) -f $(NATIVE_MAKEFILE) $(NATIVE_TSAN_TEST_BIN)
	@cd $(ROOT) && $(NATIVE_TOOLS)/run-tests $(NATIVE_TSAN_OUT)/c.counts $(NATIVE_TSAN_OUT)/c.log \
	    env TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 $${TSAN_OPTIONS:-}" \
	    $(NATIVE_TSAN_TEST_BIN) --layout $(NATIVE_LAYOUT)
