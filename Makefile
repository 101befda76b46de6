# The two commands of the README: `make demo` and `make test`. Both install what is missing first.
SHELL := /bin/bash
NODE_DEPS := node_modules/.package-lock.json
HASM := node bin/hasm.mjs

.PHONY: all deps apt-deps test typecheck demo bench clean

all: test

# npm ci when node_modules is missing or older than the lock file.
$(NODE_DEPS): package-lock.json package.json
	npm ci --no-audit --no-fund
	@touch $(NODE_DEPS)

# The compiled JavaScript that `hasm` runs (bin/dist.mjs; `hasm` itself rebuilds it when a source is newer, this
# target builds it once up front so that tests spawning the CLI never race to do it).
DIST := dist/.built
$(DIST): $(NODE_DEPS) bin/dist.mjs $(shell find host toolchain boards -name '*.ts' 2>/dev/null)
	node bin/dist.mjs

# The external oracles (../shared/research/README.md): llvm-mc/llvm-objdump, mspdebug's simulator, gdb-multiarch
# (reads our ELF files), clang-14 (the native-compiler peer of the benchmarks) and socat (pseudo-terminal pairs for
# the serial-port tests), postgresql (the central system's storage tests start a throwaway cluster with its initdb and
# pg_ctl) and chromium (the in-home display's browser test, driven by playwright-core).
apt-deps:
	@missing=""; \
	command -v llvm-mc >/dev/null || missing="$$missing llvm"; \
	command -v mspdebug >/dev/null || missing="$$missing mspdebug"; \
	command -v gdb-multiarch >/dev/null || missing="$$missing gdb-multiarch"; \
	command -v clang-14 >/dev/null || missing="$$missing clang-14"; \
	command -v socat >/dev/null || missing="$$missing socat"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

deps: $(NODE_DEPS) $(DIST) apt-deps

typecheck: $(NODE_DEPS)
	npx tsc --noEmit -p tsconfig.json

test: deps typecheck
	@mkdir -p build; status=0; \
	npx vitest run --reporter=default --reporter=json --outputFile.json=build/vitest.json || status=$$?; \
	node test/summary.mjs build/vitest.json; exit $$status

demo: $(NODE_DEPS) $(DIST)
	bash test/demo/run.sh
	bash test/demo/dlms.sh
	bash test/demo/system.sh

bench: deps
	@for b in test/bench/*.ts; do echo "== $$b"; npx tsx $$b || exit 1; done

clean:
	rm -rf out build dist
