# Thin wrapper around meson: make, make run, make check, make install.

BUILD ?= build
PREFIX ?= /usr/local
MESON_FLAGS ?=
ifneq ($(CI),)
MESON_FLAGS += -Dwerror=true
endif

.PHONY: all deps run check install clean distclean
.NOTPARALLEL:

all: $(BUILD)/build.ninja
	meson compile -C $(BUILD)

$(BUILD)/build.ninja:
	meson setup $(BUILD) --prefix=$(PREFIX) $(MESON_FLAGS)

deps:
	@scripts/install-deps

run: deps all
	$(BUILD)/src/lua/orrery examples/virt.lua

check: deps all
	meson test -C $(BUILD) --print-errorlogs

install: all
	meson configure $(BUILD) --prefix=$(PREFIX)
	meson install -C $(BUILD)

clean:
	if [ -f $(BUILD)/build.ninja ]; then meson compile -C $(BUILD) --clean; fi

distclean:
	rm -rf $(BUILD)
