# Cross builds: `make CROSS=aarch64-linux-gnu-` builds the product with that toolchain prefix into
# its own build directory (build-aarch64 unless B is given): CC, CXX, AR and OBJDUMP get the
# prefix (unless set on the command line), pkg-config reads the target's multiarch .pc files (the
# host's would hand the x86-64 libunwind.h to the cross compiler). Included by the Makefile before
# its defaults. `make check-aarch64` (arch/aarch64.mk) runs the test suites under qemu-aarch64.
ifneq ($(CROSS),)
# The cross toolchain's headers sit in /usr/TRIPLET/include: the debug info names them as a native
# build does (/usr/include), so reports and the summary's site rule see system headers as such.
CROSS_TRIPLET   := $(patsubst %-,%,$(CROSS))
CROSS_PREFIXMAP := -fdebug-prefix-map=/usr/$(CROSS_TRIPLET)/include=/usr/include
ifeq ($(origin CC),default)
CC := $(CROSS)gcc $(CROSS_PREFIXMAP)
endif
ifeq ($(origin CXX),default)
CXX := $(CROSS)g++ $(CROSS_PREFIXMAP)
endif
ifeq ($(origin AR),default)
AR := $(CROSS)ar
endif
CROSS_ARCH      := $(firstword $(subst -, ,$(CROSS)))
CROSS_MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
B               ?= build-$(CROSS_ARCH)
OBJDUMP         ?= $(CROSS)objdump
# No Rust for the target here (it needs rustup's aarch64 standard library): the Rust test programs
# are left out unless RUSTC is given.
ifeq ($(origin RUSTC),undefined)
RUSTC :=
endif
PKG_CONFIG      ?= PKG_CONFIG_LIBDIR=/usr/lib/$(CROSS_MULTIARCH)/pkgconfig:/usr/share/pkgconfig pkg-config
endif
OBJDUMP    ?= objdump
PKG_CONFIG ?= pkg-config
