"""Where the app's shipped resources live (datasets, example projects, icons, styles).

They sit in the top-level ``resources/`` folder of a source checkout. A wheel ships that folder
inside the package as ``desktop_app/resources`` (pyproject.toml maps the package
``desktop_app.resources`` to it), so an installed copy finds it there and a checkout, or an
editable install of one, beside the package.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# The source checkout's root: meaningful in a checkout only (docs, plugins and tests live there).
REPO_ROOT = PACKAGE_DIR.parent
_INSTALLED_RESOURCES = PACKAGE_DIR / "resources"
RESOURCES = _INSTALLED_RESOURCES if _INSTALLED_RESOURCES.is_dir() else REPO_ROOT / "resources"
DATASETS_DIR = RESOURCES / "datasets"
EXAMPLES_DIR = RESOURCES / "examples"
