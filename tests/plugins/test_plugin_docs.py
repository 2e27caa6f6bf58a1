"""The plugin contract is documented: every hook of hookspecs.py, with its signature, in the docs."""

from __future__ import annotations

import inspect

import pytest

from desktop_app import hookspecs
from desktop_app.paths import REPO_ROOT
from desktop_app.registry import KINDS

DOCS = (REPO_ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
HOOKS = [
    function for name, function in inspect.getmembers(hookspecs, inspect.isfunction)
    if hasattr(function, f"{hookspecs.PROJECT_NAME}_spec")
]


def test_every_registry_kind_has_a_collector_hook():
    assert {function.__name__ for function in HOOKS} >= {f"register_{kind}" for kind in KINDS}


@pytest.mark.parametrize("hook", HOOKS, ids=lambda function: function.__name__)
def test_every_hook_is_documented_with_its_signature(hook):
    signature = f"{hook.__name__}({', '.join(inspect.signature(hook).parameters)})"
    assert f"**`{signature}`**" in DOCS, f"docs/plugins.md lacks the hook reference entry {signature}"
    assert hook.__doc__, f"{hook.__name__} has no docstring in hookspecs.py"


def test_the_tutorial_covers_what_the_issue_asks_for():
    for heading in ("## Writing a layer", "### Parameters", "### The parameter schema",
                    "### The ONNX mapping", "## Writing a loss", "## Writing an optimizer",
                    "## Packaging a plugin", "## Installing and managing plugins", "## Testing a plugin",
                    "## Hook reference"):
        assert heading in DOCS
    for name in ("BACKPROP_STUDIO_LOAD_PLUGINS", "--safe-mode", "backprop_studio.plugins", "check_layer",
                 "check_loss", "check_optimizer", "register_plugin", "plugin_host", "worker thread"):
        assert name in DOCS
