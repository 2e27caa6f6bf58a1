"""Shared test set-up: Qt off screen, and user folders that are never the real ones.

The settings, drop-in plugin and data folders point into one temporary directory for the whole
session (tests that need their own override them with monkeypatch), and the public plugin-author
fixtures (``plugin_host``, ``register_plugin``) are available everywhere.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_USER_DIRS = tempfile.mkdtemp(prefix="backprop-studio-tests-")
os.environ["BACKPROP_STUDIO_CONFIG_DIR"] = os.path.join(_USER_DIRS, "config")
os.environ["BACKPROP_STUDIO_DATA_DIR"] = os.path.join(_USER_DIRS, "data")

pytest_plugins = ["desktop_app.testing"]
