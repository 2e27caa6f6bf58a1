"""The libraries of Qt's xcb plugin: reading ``ldd``, naming the packages, and the table against the
real plugin and, where dpkg is there to ask, against the packages that really hold the libraries."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from desktop_app.cli.xcb_libraries import (
    DEBIAN_PACKAGES,
    install_advice,
    linked_libraries,
    parse_ldd,
    xcb_plugin,
)

LDD_LISTING = """\
\tlinux-vdso.so.1 (0x00007ffd3c1f2000)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x00007f35)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f352e7ee000)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\t/lib64/ld-linux-x86-64.so.2 (0x00007f352f4b6000)
"""


def test_ldd_listing_read_as_sonames_and_where_they_were_found():
    assert parse_ldd(LDD_LISTING) == {
        "libQt6XcbQpa.so.6": "/venv/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6",
        "libxcb-cursor.so.0": "/lib/x86_64-linux-gnu/libxcb-cursor.so.0",
        "libxcb-icccm.so.4": None,
        "libxcb-keysyms.so.1": None,
    }


def test_advice_names_each_package_once_and_libraries_it_cannot_place():
    advice = install_advice(["libglib-2.0.so.0", "libgthread-2.0.so.0", "libxcb-new.so.9"])
    assert advice == (
        "the window cannot start: Qt's X11 platform plugin needs system libraries that are missing "
        "(libglib-2.0.so.0, libgthread-2.0.so.0, libxcb-new.so.9); on Debian/Ubuntu: sudo apt install "
        "libglib2.0-0; install the packages that provide libxcb-new.so.9")


def system_libraries() -> dict[str, str | None]:
    """What the installed xcb plugin loads from the system (not from PySide6's own folder)."""
    plugin = xcb_plugin()
    if plugin is None or shutil.which("ldd") is None:
        pytest.skip("no xcb plugin or no ldd here")
    qt = plugin.parents[2].resolve()
    return {name: path for name, path in linked_libraries(plugin).items()
            if path is None or not Path(path).resolve().is_relative_to(qt)}


def test_every_system_library_of_the_installed_plugin_has_its_package():
    libraries = system_libraries()
    assert "libxcb.so.1" in libraries  # ldd was read
    assert sorted(set(libraries) - set(DEBIAN_PACKAGES)) == []


@pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="not a Debian/Ubuntu system")
def test_the_packages_named_are_those_dpkg_says_hold_the_libraries():
    found = {name: path for name, path in system_libraries().items()
             if path is not None and name in DEBIAN_PACKAGES}
    listing = subprocess.run(["dpkg-query", "-S", *(f"*/{name}" for name in found)],
                             capture_output=True, text=True, check=False).stdout
    owners: dict[str, set[str]] = {}
    for line in listing.splitlines():
        packages, _, path = line.partition(": ")
        for package in packages.split(", "):
            owners.setdefault(Path(path).name, set()).add(package.split(":")[0])
    for name in found:
        # Ubuntu 24.04 renamed some libraries for 64-bit time_t; apt takes the old name for them.
        assert {DEBIAN_PACKAGES[name], DEBIAN_PACKAGES[name] + "t64"} & owners.get(name, set()), name
