"""Plugins written for the tests (as source text) and the ``backprop-studio plugins`` command run in
process, shared by the plugin tests."""

from __future__ import annotations

import io
import json

import pytest

from desktop_app.cli import main
from desktop_app.plugin_system import use_host

DOUBLER = """
    from desktop_app.engine.layer import Layer
    from desktop_app.hookspecs import hookimpl

    class Doubler(Layer):
        type_name = "{name}"

        def output_shape(self, *shapes):
            return shapes[0]

        def forward(self, x, training=False):
            return x * 2

        def backward(self, grad):
            return (grad * 2,)

    @hookimpl
    def register_layers(register):
        register(Doubler)
"""

BROKEN_IMPORT = """
    raise RuntimeError("boom at import")
"""


def doubler(name: str = "Doubler") -> str:
    return DOUBLER.replace("{name}", name)


class FakePip:
    """What ``subprocess.Popen`` returns for pip, for tests that replace it: its exit code and output."""

    def __init__(self, returncode: int = 0, output: str = "") -> None:
        self.returncode = returncode
        self.stdout = io.StringIO(output)

    def __enter__(self) -> FakePip:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    """One CLI invocation as a fresh process would see it (no host cached from a previous one)."""
    use_host(None)
    code = main(["plugins", *argv] if argv[0] != "--safe-mode" else [argv[0], "plugins", *argv[1:]])
    out, err = capsys.readouterr()
    return code, out, err


def statuses(capsys, *argv: str) -> dict[str, str]:
    code, out, _ = run(capsys, "list", "--json", *argv)
    assert code == 0
    return {plugin["name"]: plugin["status"] for plugin in json.loads(out)["plugins"]}
