"""The system libraries Qt's X11 (xcb) platform plugin needs, and the Debian/Ubuntu packages with them.

PySide6 ships Qt, but not the X11 client libraries its xcb plugin links against. When one is
missing, Qt aborts the process (exit code 134) with a message that names the wrong package, so
the window checks first: ``ldd`` on the plugin lists exactly what the dynamic loader cannot find.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

#: soname -> the Debian/Ubuntu package that provides it, for every system library the xcb plugin
#: loads (``ldd`` of PySide6's ``libqxcb.so``, then ``dpkg -S``/``apt-file`` on Debian 12).
DEBIAN_PACKAGES: dict[str, str] = {
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
    "libGL.so.1": "libgl1",
    "libGLX.so.0": "libglx0",
    "libGLdispatch.so.0": "libglvnd0",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libpng16.so.16": "libpng16-16",
    "libbrotlicommon.so.1": "libbrotli1",
    "libbrotlidec.so.1": "libbrotli1",
    "libexpat.so.1": "libexpat1",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libpcre2-8.so.0": "libpcre2-8-0",
    "libdbus-1.so.3": "libdbus-1-3",
    "libsystemd.so.0": "libsystemd0",
    "libgcrypt.so.20": "libgcrypt20",
    "libgpg-error.so.0": "libgpg-error0",
    "libcap.so.2": "libcap2",
    "liblz4.so.1": "liblz4-1",
    "liblzma.so.5": "liblzma5",
    "libzstd.so.1": "libzstd1",
    "libz.so.1": "zlib1g",
    "libbsd.so.0": "libbsd0",
    "libmd.so.0": "libmd0",
    "libstdc++.so.6": "libstdc++6",
    "libgcc_s.so.1": "libgcc-s1",
    "libc.so.6": "libc6",
    "libm.so.6": "libc6",
    "libdl.so.2": "libc6",
    "libpthread.so.0": "libc6",
}


def xcb_plugin() -> Path | None:
    """PySide6's xcb platform plugin, or None where this Qt has none (Windows, macOS)."""
    from PySide6.QtCore import QLibraryInfo  # QtCore alone needs no display libraries

    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    path = plugins / "platforms" / "libqxcb.so"
    return path if path.is_file() else None


def linked_libraries(library: Path) -> dict[str, str | None]:
    """Every library ``library`` loads, directly or not: soname -> where it was found, None if
    nowhere. Empty when ``ldd`` is not there to ask (then Qt is left to find out)."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return {}
    try:
        listing = subprocess.run([ldd, str(library)], capture_output=True, text=True, timeout=30,
                                 check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return {}
    return parse_ldd(listing)


def parse_ldd(listing: str) -> dict[str, str | None]:
    """``ldd``'s lines ``soname => /path (0x...)`` or ``soname => not found`` as a dict."""
    found: dict[str, str | None] = {}
    for line in listing.splitlines():
        name, arrow, target = line.strip().partition(" => ")
        if arrow:  # the vDSO and the loader itself have no arrow
            found.setdefault(name, None if target == "not found" else target.rsplit(" (", 1)[0])
    return found


def missing_xcb_libraries() -> list[str]:
    """The sonames Qt's xcb plugin needs and the loader cannot find here."""
    plugin = xcb_plugin()
    if plugin is None:
        return []
    return [name for name, path in linked_libraries(plugin).items() if path is None]


def install_advice(missing: list[str]) -> str:
    """One line: the missing libraries and the ``sudo apt install`` that provides them."""
    packages = list(dict.fromkeys(DEBIAN_PACKAGES[name] for name in missing if name in DEBIAN_PACKAGES))
    unknown = [name for name in missing if name not in DEBIAN_PACKAGES]
    line = (f"the window cannot start: Qt's X11 platform plugin needs system libraries that are "
            f"missing ({', '.join(missing)})")
    if packages:
        line += f"; on Debian/Ubuntu: sudo apt install {' '.join(packages)}"
    if unknown:
        line += f"; install the packages that provide {', '.join(unknown)}"
    return line
