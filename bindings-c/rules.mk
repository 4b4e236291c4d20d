# bindings-c: libcertgate (libcertgate.so, libcertgate.a), include/certgate.h, certgate.pc.
#   make test-c       header drift check, header as C99 and C++, C tests (vectors, API
#                     misuse, threads, reloads and stats, files made by the openssl CLI)
#                     plain, under valgrind and with ASan+UBSan, the
#                     installed copy through pkg-config, the OpenSSL mTLS server end to end
#                     (plain and under valgrind)
#   make bench-c      certgate_verify vs OpenSSL X509_verify_cert, without and with a 100k CRL
#   make install      installs the libraries, certgate.h and certgate.pc under
#                     PREFIX (default /usr/local); also DESTDIR, LIBDIR, INCLUDEDIR, RELOCATABLE
#   make dist-c       the C tarball (lib, include, certgate.pc) into target/dist
#   make c-header     regenerates include/certgate_codes.h (from core's code table) and
#                     include/certgate.h (cbindgen 0.29) after editing src/lib.rs

BINDING_TESTS += test-c
BINDING_BENCHES += bench-c

.PHONY: test-c bench-c install dist-c c-header c-header-check c-lib c-apt c-cbindgen c-build

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include

C_DIR := $(ROOT)/bindings-c
C_BUILD := $(C_DIR)/build
C_RELEASE := $(ROOT)/target/release
C_CBINDGEN_VERSION := 0.29.4
# What a static link needs besides libcertgate.a (`cargo rustc -- --print native-static-libs`).
C_NATIVE_LIBS := -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
C_CFLAGS := -std=c99 -Wall -Wextra -Werror -pedantic -g -I$(C_DIR)/include
C_CXXFLAGS := -std=c++11 -Wall -Wextra -Werror -pedantic -g -I$(C_DIR)/include
C_SHARED := -L$(C_RELEASE) -lcertgate -Wl,-rpath,$(C_RELEASE)
C_STATIC := $(C_RELEASE)/libcertgate.a $(C_NATIVE_LIBS)
C_ASAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
C_ASAN_ENV := ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
C_VALGRIND := valgrind -q --error-exitcode=1 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
C_PKI := $(ROOT)/tests/vectors/pki
# Reloads of test_reload's load test under valgrind, which runs one thread at a time and
# ~50x slower: 100 instead of the 1,000 of the plain and ASan runs.
C_VALGRIND_RELOADS := 100
C_CASES := $(ROOT)/tests/vectors/cases.json
C_HEADER_CMD := cbindgen --config bindings-c/cbindgen.toml --crate certgate-c --output

c-apt:
	$(ROOT)/scripts/ensure-apt gcc g++ libc6-dev pkgconf libcjson-dev libssl-dev openssl curl valgrind

c-cbindgen:
	if ! cbindgen --version 2>/dev/null | grep -q '^cbindgen 0\.29\.'; then \
	  $(CARGO) install cbindgen --version $(C_CBINDGEN_VERSION) --locked; fi

c-lib:
	$(CARGO) build --release -p certgate-c

c-header: c-cbindgen
	cd $(ROOT) && CERTGATE_WRITE_HEADERS=1 $(CARGO) test -q -p certgate-c --lib codes_header_is_current
	cd $(ROOT) && $(C_HEADER_CMD) bindings-c/include/certgate.h bindings-c

c-header-check: c-cbindgen
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	cd $(ROOT) && { $(C_HEADER_CMD) "$$tmp/certgate.h" bindings-c 2>"$$tmp/log" || { cat "$$tmp/log"; exit 1; }; }; \
	if ! cmp -s "$$tmp/certgate.h" bindings-c/include/certgate.h; then \
	  { diff -u bindings-c/include/certgate.h "$$tmp/certgate.h" || true; } | head -60; \
	  echo "bindings-c/include/certgate.h is stale: run 'make c-header' and commit it"; exit 1; fi
	@echo "certgate.h matches cbindgen's output"

c-build: c-apt c-lib
	mkdir -p $(C_BUILD)
	gcc $(C_CFLAGS) -fsyntax-only -x c $(C_DIR)/include/certgate.h
	g++ $(C_CXXFLAGS) -fsyntax-only -x c++ $(C_DIR)/include/certgate.h
	gcc $(C_CFLAGS) $(C_DIR)/tests/test_api.c -o $(C_BUILD)/test_api $(C_SHARED) -pthread
	gcc $(C_CFLAGS) $(C_DIR)/tests/test_vectors.c -o $(C_BUILD)/test_vectors $(C_SHARED) -lcjson
	gcc $(C_CFLAGS) $(C_DIR)/tests/test_reload.c -o $(C_BUILD)/test_reload $(C_SHARED) -lcjson -pthread
	gcc $(C_CFLAGS) $(C_DIR)/tests/test_openssl_files.c -o $(C_BUILD)/test_openssl_files $(C_SHARED)
	g++ $(C_CXXFLAGS) $(C_DIR)/tests/header_cpp.cpp -o $(C_BUILD)/header_cpp $(C_SHARED)
	gcc $(C_CFLAGS) $(C_ASAN) $(C_DIR)/tests/test_api.c -o $(C_BUILD)/test_api_asan $(C_STATIC) -pthread
	gcc $(C_CFLAGS) $(C_ASAN) $(C_DIR)/tests/test_vectors.c -o $(C_BUILD)/test_vectors_asan -lcjson $(C_STATIC)
	gcc $(C_CFLAGS) $(C_ASAN) $(C_DIR)/tests/test_reload.c -o $(C_BUILD)/test_reload_asan -lcjson $(C_STATIC) -pthread
	gcc $(C_CFLAGS) $(C_ASAN) $(C_DIR)/tests/test_openssl_files.c -o $(C_BUILD)/test_openssl_files_asan $(C_STATIC)
	g++ $(C_CXXFLAGS) $(C_ASAN) $(C_DIR)/tests/header_cpp.cpp -o $(C_BUILD)/header_cpp_asan $(C_STATIC)
	gcc $(C_CFLAGS) $(C_DIR)/examples/openssl_server.c -o $(C_BUILD)/openssl_server $(C_SHARED) \
	  $$(pkg-config --cflags --libs openssl)

test-c: c-header-check c-build
	rm -rf $(C_BUILD)/openssl-pki && $(ROOT)/tests/openssl/make-pki.sh $(C_BUILD)/openssl-pki 2>/dev/null
	@echo "== C tests against $(C_RELEASE)/libcertgate.so"
	$(C_BUILD)/test_api $(C_PKI)
	$(C_BUILD)/test_vectors $(C_CASES)
	$(C_BUILD)/test_reload $(C_PKI)
	$(C_BUILD)/test_openssl_files $(C_BUILD)/openssl-pki
	$(C_BUILD)/header_cpp
	@echo "== the same under valgrind"
	$(C_VALGRIND) $(C_BUILD)/test_api $(C_PKI)
	$(C_VALGRIND) $(C_BUILD)/test_vectors $(C_CASES)
	$(C_VALGRIND) $(C_BUILD)/test_reload $(C_PKI) $(C_VALGRIND_RELOADS)
	$(C_VALGRIND) $(C_BUILD)/test_openssl_files $(C_BUILD)/openssl-pki
	$(C_VALGRIND) $(C_BUILD)/header_cpp
	@echo "== the same with AddressSanitizer + UBSan, linked statically"
	$(C_ASAN_ENV) $(C_BUILD)/test_api_asan $(C_PKI)
	$(C_ASAN_ENV) $(C_BUILD)/test_vectors_asan $(C_CASES)
	$(C_ASAN_ENV) $(C_BUILD)/test_reload_asan $(C_PKI)
	$(C_ASAN_ENV) $(C_BUILD)/test_openssl_files_asan $(C_BUILD)/openssl-pki
	$(C_ASAN_ENV) $(C_BUILD)/header_cpp_asan
	@echo "== make install + pkg-config"
	$(C_DIR)/tests/install_test.sh $(ROOT)
	@echo "== OpenSSL mTLS server end to end"
	$(CARGO) build -q --release -p certgate-vectors
	$(C_DIR)/tests/tls_e2e.sh $(C_BUILD)/openssl_server $(C_RELEASE)/certgate-vectors
	$(C_DIR)/tests/tls_e2e.sh $(C_BUILD)/openssl_server $(C_RELEASE)/certgate-vectors $(C_VALGRIND)

# RELOCATABLE=1: certgate.pc names its folders relative to itself (${pcfiledir}), so the
# tree works wherever it is unpacked (the C tarball of `make dist`).
install: c-lib
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)
	install -m 0755 $(C_RELEASE)/libcertgate.so $(DESTDIR)$(LIBDIR)/libcertgate.so
	install -m 0644 $(C_RELEASE)/libcertgate.a $(DESTDIR)$(LIBDIR)/libcertgate.a
	install -m 0644 $(C_DIR)/include/certgate.h $(C_DIR)/include/certgate_codes.h $(DESTDIR)$(INCLUDEDIR)/
	version=$$($(CARGO) pkgid -p certgate-c | sed 's/.*[@#]//'); \
	prefix='$(PREFIX)'; libdir='$(LIBDIR)'; includedir='$(INCLUDEDIR)'; \
	if [ -n "$(RELOCATABLE)" ]; then \
	  prefix='$${pcfiledir}/../..'; libdir='$${prefix}/lib'; includedir='$${prefix}/include'; fi; \
	sed -e "s|@PREFIX@|$$prefix|" -e "s|@LIBDIR@|$$libdir|" -e "s|@INCLUDEDIR@|$$includedir|" \
	  -e "s|@VERSION@|$$version|" -e 's|@LIBS_PRIVATE@|$(C_NATIVE_LIBS)|' \
	  $(C_DIR)/certgate.pc.in >$(DESTDIR)$(LIBDIR)/pkgconfig/certgate.pc
	@echo "installed libcertgate, certgate.h and certgate.pc under $(DESTDIR)$(PREFIX)"

# The C tarball: certgate-c-<version>-<arch>-linux-gnu/{lib,include,README.md,LICENSE-*}.
BINDING_DISTS += dist-c
dist-c: c-lib
	version=$$($(CARGO) pkgid -p certgate-c | sed 's/.*[@#]//'); \
	name=certgate-c-$$version-$$(uname -m)-linux-gnu; \
	stage=$$(mktemp -d); trap 'rm -rf "$$stage"' EXIT; \
	$(MAKE) --no-print-directory install RELOCATABLE=1 PREFIX=$$stage/$$name >/dev/null; \
	cp $(C_DIR)/README.md $(ROOT)/LICENSE-APACHE $(ROOT)/LICENSE-MIT $$stage/$$name/; \
	mkdir -p $(DIST) && tar -czf $(DIST)/$$name.tar.gz -C $$stage --owner=0 --group=0 $$name; \
	echo "$$name.tar.gz: $$(tar -tzf $(DIST)/$$name.tar.gz | grep -v '/$$' | tr '\n' ' ')"

bench-c: c-apt c-lib
	$(CARGO) build -q --release -p certgate-vectors
	mkdir -p $(C_BUILD)
	gcc -std=c99 -O2 -Wall -Wextra -Werror -I$(C_DIR)/include $(C_DIR)/bench/bench.c \
	  -o $(C_BUILD)/bench $(C_SHARED) $$(pkg-config --cflags --libs libcrypto)
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(C_RELEASE)/certgate-vectors bench "$$tmp"; \
	$(C_BUILD)/bench "$$tmp"
