"""``register_pytorch_code``: a plugin's PyTorch class for a layer, loss or optimizer type is parsed,
never run, at registration; one that does not parse, names a class its source lacks, or is for a
type no plugin provides is quarantined with the reason, and the plugin's other items stay."""

from __future__ import annotations

import pytest

from desktop_app.plugin_system import load_plugins

PLUGIN = '''
from desktop_app.hookspecs import PytorchCode, hookimpl

GOOD = "import torch\\n\\nclass Square(torch.nn.Module):\\n    def forward(self, x):\\n        return x*x\\n"

@hookimpl
def register_pytorch_code(register):
    register("ReLU", PytorchCode("Square", GOOD))
    register({name!r}, {code})
'''


def test_valid_pytorch_code_is_registered_without_running_it(fake_site, tmp_path) -> None:
    never_run = 'PytorchCode("Boom", "raise SystemExit(3)\\nclass Boom:\\n    pass\\n")'
    fake_site("backprop-studio-torchy", "torchy", PLUGIN.format(name="Tanh", code=never_run))
    host = load_plugins(folder=tmp_path / "none")
    assert not host.problems()
    assert sorted(host.registry.pytorch_code) == ["ReLU", "Tanh"]
    assert host.registry.pytorch_code["Tanh"].class_name == "Boom"
    assert host.plugins["torchy"].contributes["pytorch_code"] == ["ReLU", "Tanh"]


@pytest.mark.parametrize(("name", "code", "reason"), [
    ("Tanh", 'PytorchCode("Tanh", "class Tanh(:\\n")', "its source does not parse"),
    ("Tanh", 'PytorchCode("Tanh", "class Other:\\n    pass\\n")',
     "its source defines no class 'Tanh'. Received classes: ['Other']"),
    ("Nowhere", 'PytorchCode("Nowhere", "class Nowhere:\\n    pass\\n")',
     "PyTorch code for 'Nowhere', which no loaded plugin provides as a layer, loss or optimizer type"),
    ("Tanh", '"class Tanh: pass"', "expects (type_name: str, PytorchCode(class_name, source))"),
])
def test_bad_pytorch_code_is_quarantined_with_the_reason(fake_site, tmp_path, name, code, reason) -> None:
    fake_site("backprop-studio-torchy", "torchy", PLUGIN.format(name=name, code=code))
    host = load_plugins(folder=tmp_path / "none")
    assert name not in host.registry.pytorch_code and "ReLU" in host.registry.pytorch_code
    message = host.quarantined[("pytorch_code", name)].message
    owner = "plugin 'torchy' (backprop-studio-torchy 1.0)"
    assert message.startswith(f"{owner} PyTorch code '{name}' quarantined")
    assert reason in message
