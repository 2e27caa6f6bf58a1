"""Where the app's shipped resources live (datasets, example projects, icons, styles)."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
RESOURCES = REPO_ROOT / "resources"
DATASETS_DIR = RESOURCES / "datasets"
EXAMPLES_DIR = RESOURCES / "examples"
