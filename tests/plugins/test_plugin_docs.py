"""The plugin contract is documented: every hook of hookspecs.py, with its signature, in the docs."""

from __future__ import annotations

import ast
import inspect
import re

import pytest

from desktop_app import hookspecs
from desktop_app.engine import gradcheck
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


GRADCHECKS = [gradcheck.check_layer_gradients, gradcheck.check_loss_gradients,
              gradcheck.check_model_gradients]


@pytest.mark.parametrize("function", GRADCHECKS, ids=lambda function: function.__name__)
def test_the_gradcheck_functions_are_documented_with_their_real_signatures(function):
    """The documented parameters, their order, keyword-only marker and defaults match the code."""
    match = re.search(rf"`{function.__name__}\((.*?)\)`", DOCS, re.DOTALL)
    assert match, f"docs/plugins.md lacks the signature of {function.__name__}"
    documented = ast.parse(f"def f({' '.join(match.group(1).split())}): pass").body[0].args
    names = [arg.arg for arg in documented.args] + ["*"] + [arg.arg for arg in documented.kwonlyargs]
    defaults = [ast.literal_eval(node) for node in documented.kw_defaults]
    parameters = inspect.signature(function).parameters.values()
    positional = [p.name for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD]
    keyword = [p for p in parameters if p.kind is p.KEYWORD_ONLY]
    assert names == [*positional, "*", *(p.name for p in keyword)]
    assert defaults == [p.default for p in keyword]


def test_the_plugin_manager_window_and_the_uninstall_rules_are_documented():
    section = DOCS[DOCS.index("## Installing and managing plugins"):DOCS.index("## Testing a plugin")]
    for text in ("Help > Plugins", "--source folder", "--source entry-point", "removes exactly one thing",
                 "forgets that it was disabled", "matches no installed plugin"):
        assert text in section
    [image] = re.findall(r"!\[[^]]*\]\((screenshots/[^)]+)\)", section)
    assert (REPO_ROOT / "docs" / image).is_file()
