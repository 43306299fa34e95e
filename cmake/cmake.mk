# CMake package: find_package(hotpath CONFIG) with hotpath::hotpath and hotpath::pools, installed
# under $(LIBDIR)/cmake/hotpath/ with its version file; and man page links (man 3 hotpath_enter,
# ...). Included by the Makefile. Their test (make check-packaging) installs to a temporary
# prefix and builds the README's 30-second example with CMake, pkg-config and ctest.
CMAKE_SED = sed -e 's|@PREFIX@|$(PREFIX)|g; s|@LIBDIR@|$(LIBDIR)|g; s|@INCLUDEDIR@|$(INCLUDEDIR)|g; s|@VERSION@|$(VERSION)|g; s|@BINDIR@|$(BINDIR)|g; s|@SOVERSION@|$(SOVERSION)|g'
CMAKE_DIR := $(LIBDIR)/cmake/hotpath
CMAKE_OUT := $(B)/cmake/hotpathConfig.cmake $(B)/cmake/hotpathConfigVersion.cmake

$(B)/cmake/%.cmake: cmake/%.cmake.in cmake/cmake.mk Makefile
	@mkdir -p $(dir $@)
	$(CMAKE_SED) $< > $@

# Every name in hotpath.3's NAME section gets a page that sources it (man 3 hotpath_seal).
MAN3_NAMES := $(shell sed -n '/^\.SH NAME/,/\\-/p' man/hotpath.3 | sed '1d; s/\\-.*//' | tr ',' ' ')

install-cmake: $(CMAKE_OUT)
	install -d $(DESTDIR)$(CMAKE_DIR) $(DESTDIR)$(MANDIR)/man3
	$(CMAKE_SED) cmake/hotpathConfig.cmake.in > $(DESTDIR)$(CMAKE_DIR)/hotpathConfig.cmake
	$(CMAKE_SED) cmake/hotpathConfigVersion.cmake.in > $(DESTDIR)$(CMAKE_DIR)/hotpathConfigVersion.cmake
	@for n in $(MAN3_NAMES); do echo '.so man3/hotpath.3' > $(DESTDIR)$(MANDIR)/man3/$$n.3; done
	@echo "man page links: $(MAN3_NAMES:%=%.3)"

uninstall-cmake:
	rm -f $(DESTDIR)$(CMAKE_DIR)/hotpathConfig.cmake $(DESTDIR)$(CMAKE_DIR)/hotpathConfigVersion.cmake \
	      $(addprefix $(DESTDIR)$(MANDIR)/man3/,$(MAN3_NAMES:%=%.3))
	-rmdir $(DESTDIR)$(CMAKE_DIR) $(DESTDIR)$(LIBDIR)/cmake 2>/dev/null

check-packaging: $(CORE) $(POOLS_LIB) $(CMAKE_OUT)
	@$(SUITE) packaging bash test/packaging/run.sh $(abspath $(B)) $(abspath .)

ALL_TARGETS       += $(CMAKE_OUT)
INSTALL_TARGETS   += install-cmake
UNINSTALL_TARGETS += uninstall-cmake
CHECK_TARGETS     += check-packaging
.PHONY: install-cmake uninstall-cmake check-packaging
