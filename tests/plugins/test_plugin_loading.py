"""Loading: built-ins through the hooks, discovery order, and every way a plugin can break."""

from __future__ import annotations

import importlib
import sys

import numpy as np
import pytest

from desktop_app.engine.graph import Model, stack
from desktop_app.plugin_system import current_registry, load_plugins, reload_registry
from desktop_app.plugin_system.builtins import BUILTINS
from desktop_app.settings import Settings, save_settings

from .plugin_sources import BROKEN_IMPORT, doubler

# (kind, module, table): where each kind's built-in types are listed, read here independently
BUILTIN_TABLES = (
    ("layers", "desktop_app.engine.layers", "BUILTIN_LAYERS"),
    ("losses", "desktop_app.engine.losses", "BUILTIN_LOSSES"),
    ("optimizers", "desktop_app.engine.optimizers", "BUILTIN_OPTIMIZERS"),
    ("schedules", "desktop_app.engine.schedules", "BUILTIN_SCHEDULES"),
    ("initializers", "desktop_app.engine.initializers", "BUILTIN_INITIALIZERS"),
    ("metrics", "desktop_app.engine.metrics", "BUILTIN_METRICS"),
    ("datasets", "desktop_app.data", "BUILTIN_DATASETS"),
    ("exporters", "desktop_app.export", "BUILTIN_EXPORTERS"),
    ("onnx_mappings", "desktop_app.export", "BUILTIN_ONNX_MAPPINGS"),
)


def test_builtins_are_registered_through_the_hooks_with_their_owner():
    host = load_plugins(autoload=False)
    assert [name for name, _module in BUILTINS] == [f"builtin.{kind}" for kind, _, _ in BUILTIN_TABLES]
    for kind, module_name, table_name in BUILTIN_TABLES:
        table = getattr(importlib.import_module(module_name), table_name)
        names = list(table) if isinstance(table, dict) else [cls.type_name for cls in table]
        assert list(host.registry.table(kind)) == names, kind
        assert {host.registry.owner(kind, name) for name in names} == {f"builtin.{kind}"}
    assert [info.status for info in host.plugins.values()] == ["active"] * len(BUILTIN_TABLES)
    assert host.problems() == []


def test_entry_point_plugin_is_discovered_and_owns_its_items(fake_site, tmp_path):
    fake_site("backprop-studio-doubler", "doubler", doubler())
    host = load_plugins(folder=tmp_path / "none")
    info = host.plugins["doubler"]
    assert (info.source, info.distribution, info.version, info.status) == (
        "entry point", "backprop-studio-doubler", "1.0", "active")
    assert info.contributes == {"layers": ["Doubler"]}
    assert host.registry.owner("layers", "Doubler") == "doubler"
    model = Model(stack((3,), ("Doubler", {})), host.registry.layers)
    np.testing.assert_array_equal(model.forward(np.ones((2, 3), np.float32)), np.full((2, 3), 2.0))


def test_plugin_failing_to_import_is_recorded_and_the_others_load(fake_site, tmp_path):
    fake_site("backprop-studio-broken", "broken", BROKEN_IMPORT, version="2.0")
    fake_site("backprop-studio-doubler", "doubler", doubler())
    host = load_plugins(folder=tmp_path / "none")
    broken = host.plugins["broken"]
    assert broken.status == "failed"
    [problem] = broken.problems
    assert problem.message == ("plugin 'broken' (backprop-studio-broken 2.0) could not be imported: "
                               "RuntimeError: boom at import")
    assert "boom at import" in problem.traceback and "Traceback" in problem.traceback
    assert host.plugins["doubler"].status == "active"
    assert {"Doubler", "Dense"} <= set(host.registry.layers)


def test_a_plugin_calling_sys_exit_on_import_cannot_end_the_app(fake_site, tmp_path):
    fake_site("backprop-studio-quitter", "quitter", "import sys\nsys.exit(3)\n")
    host = load_plugins(folder=tmp_path / "none")
    assert host.plugins["quitter"].status == "failed"
    assert "SystemExit" in host.plugins["quitter"].problems[0].message


def test_duplicate_name_is_charged_to_the_plugin_that_came_second(fake_site, tmp_path):
    fake_site("backprop-studio-a", "a_first", doubler("Twice"))
    fake_site("backprop-studio-b", "b_second", doubler("Twice") + """
    class Dense(Doubler):
        type_name = "Dense"

    class Triple(Doubler):
        type_name = "Triple"

    @hookimpl(specname="register_layers")
    def register_more(register):
        register(Dense)
        register(Triple)
    """)
    host = load_plugins(folder=tmp_path / "none")
    builtin_dense = importlib.import_module("desktop_app.engine.layers").Dense
    assert host.registry.layers["Dense"] is builtin_dense
    assert host.registry.owner("layers", "Twice") == "a_first"
    assert host.registry.owner("layers", "Triple") == "b_second"
    second = host.plugins["b_second"]
    assert second.status == "error"
    messages = sorted(problem.message for problem in second.problems)
    assert messages == [
        "plugin 'b_second' (backprop-studio-b 1.0) layer 'Dense' skipped: "
        "layer 'Dense' is already provided by plugin 'builtin.layers'",
        "plugin 'b_second' (backprop-studio-b 1.0) layer 'Twice' skipped: "
        "layer 'Twice' is already provided by plugin 'a_first'",
    ]
    assert host.plugins["a_first"].status == "active"


WRONG_SHAPE = """
    from desktop_app.engine.layer import Layer
    from desktop_app.hookspecs import hookimpl

    class Liar(Layer):
        type_name = "Liar"

        def output_shape(self, *shapes):
            return (3,)

        def forward(self, x, training=False):
            return x

        def backward(self, grad):
            return (grad,)

    class Honest(Liar):
        type_name = "Honest"

        def output_shape(self, *shapes):
            return shapes[0]

    @hookimpl
    def register_layers(register):
        register(Liar)
        register(Honest)
"""


def test_layer_whose_declared_shape_is_wrong_is_quarantined_with_the_reason(fake_site, tmp_path):
    fake_site("backprop-studio-liar", "liar", WRONG_SHAPE)
    host = load_plugins(folder=tmp_path / "none")
    assert "Liar" not in host.registry.layers
    assert host.registry.owner("layers", "Honest") == "liar"
    reason = host.quarantined[("layers", "Liar")].message
    assert reason.startswith("plugin 'liar' (backprop-studio-liar 1.0) layer 'Liar' quarantined: ")
    assert "output_shape declared (3,)" in reason and "Received: (3, 8)" in reason
    assert host.explain_missing("layers", "Liar") == reason
    assert host.explain_missing("layers", "Honest") is None


@pytest.mark.parametrize(("body", "reason"), [
    ("def forward(self, x, training=False):\n            return x.astype('float64')",
     "must keep float32 inputs float32. Received dtype: float64"),
    ("def backward(self, grad):\n            return grad",
     "backward must return a tuple with one gradient per input"),
    ("def get_config(self):\n            return {'scale': object()}",
     "get_config() must be JSON-serializable"),
    ("def forward(self, x, training=False):\n            raise ValueError('nope')",
     "raised on input shape(s) [(8,)]: ValueError: nope"),
])
def test_layer_breaking_its_contract_is_quarantined(fake_site, tmp_path, body, reason):
    source = doubler("Odd").replace("    @hookimpl", f"        {body}\n\n    @hookimpl", 1)
    fake_site("backprop-studio-odd", "odd", source)
    host = load_plugins(folder=tmp_path / "none")
    assert "Odd" not in host.registry.layers
    assert reason in host.quarantined[("layers", "Odd")].message


def test_hook_raising_drops_that_hook_call_and_keeps_the_rest(fake_site, tmp_path):
    fake_site("backprop-studio-flaky", "flaky", doubler().replace(
        "register(Doubler)", "register(Doubler)\n        raise KeyError('lost')") + """
    from desktop_app.engine.losses import MeanSquaredError

    class Squared(MeanSquaredError):
        type_name = "squared"

    @hookimpl
    def register_losses(register):
        register(Squared)
    """)
    host = load_plugins(folder=tmp_path / "none")
    info = host.plugins["flaky"]
    assert info.status == "error"
    assert info.contributes == {"losses": ["squared"]}
    assert "Doubler" not in host.registry.layers
    [problem] = info.problems
    assert problem.message == ("plugin 'flaky' (backprop-studio-flaky 1.0) raised in register_layers(); "
                               "its layers from that hook were skipped: KeyError: 'lost'")
    assert "KeyError" in problem.traceback


def test_invalid_items_are_skipped_one_by_one(fake_site, tmp_path):
    fake_site("backprop-studio-messy", "messy", doubler() + """
    from desktop_app.engine.losses import MeanSquaredError

    class Nameless(Doubler):
        type_name = ""

    @hookimpl(specname="register_layers")
    def more_layers(register):
        register(42)
        register(Nameless)
        register(MeanSquaredError)
        register(Doubler, Doubler)

    @hookimpl
    def register_onnx_mappings(register):
        register("NoSuchLayer", print)
    """)
    host = load_plugins(folder=tmp_path / "none")
    info = host.plugins["messy"]
    assert info.contributes == {"layers": ["Doubler"]}
    messages = "\n".join(problem.message for problem in info.problems)
    assert "expects a subclass of desktop_app.engine.layer.Layer. Received: 42" in messages
    assert "Nameless must set a non-empty string type_name" in messages
    assert "Received: <class 'desktop_app.engine.losses.MeanSquaredError'>" in messages
    assert "register() takes one class" in messages
    assert "ONNX mapping for layer type 'NoSuchLayer', which no loaded plugin provides" in messages
    assert len(info.problems) == 5


def test_misspelled_hook_fails_the_plugin_with_a_hint(fake_site, tmp_path):
    fake_site("backprop-studio-typo", "typo", doubler().replace("def register_layers", "def register_layer"))
    fake_site("backprop-studio-future", "future", doubler("Future") + """
    @hookimpl(optionalhook=True)
    def register_quantizers(register):
        pass
    """)
    host = load_plugins(folder=tmp_path / "none")
    typo = host.plugins["typo"]
    assert typo.status == "failed"
    assert typo.problems[0].message.endswith(
        "implements unknown hook(s): 'register_layer' (did you mean 'register_layers'?)")
    assert host.plugins["future"].status == "active"
    assert "Future" in host.registry.layers
    host.pm.check_pending()


def test_hook_asking_for_an_argument_the_spec_lacks_fails_the_plugin(fake_site, tmp_path):
    fake_site("backprop-studio-greedy", "greedy", doubler().replace(
        "def register_layers(register):", "def register_layers(register, project):"))
    host = load_plugins(folder=tmp_path / "none")
    assert host.plugins["greedy"].status == "failed"
    assert "project" in host.plugins["greedy"].problems[0].message


def test_disabled_plugin_is_blocked_before_it_is_imported(fake_site, tmp_path):
    module = fake_site("backprop-studio-broken", "broken", BROKEN_IMPORT)
    fake_site("backprop-studio-doubler", "doubler", doubler())
    save_settings(Settings({"disabled_plugins": ["backprop-studio-broken"]}))
    host = load_plugins(folder=tmp_path / "none")
    info = host.plugins["broken"]
    assert (info.status, info.problems) == ("disabled", [])
    assert "disabled in settings" in info.reason
    assert host.pm.is_blocked("broken")
    assert module not in sys.modules
    assert host.plugins["doubler"].status == "active"


def test_safe_mode_loads_only_the_builtins(fake_site, drop_in, tmp_path, monkeypatch):
    fake_site("backprop-studio-doubler", "doubler", doubler())
    drop_in("tripler", doubler("Tripler"))
    monkeypatch.setenv("BACKPROP_STUDIO_LOAD_PLUGINS", "")
    registry = reload_registry()
    assert "Doubler" not in registry.layers and "Tripler" not in registry.layers
    assert "Dense" in registry.layers
    from desktop_app.plugin_system import current_host

    host = current_host()
    assert {host.plugins[name].status for name in ("doubler", "tripler")} == {"not loaded"}
    assert "safe mode" in host.plugins["doubler"].reason


def test_load_plugins_env_list_loads_only_those(fake_site, drop_in, monkeypatch):
    fake_site("backprop-studio-doubler", "doubler", doubler())
    fake_site("backprop-studio-other", "other", doubler("Other"))
    drop_in("tripler", doubler("Tripler"))
    monkeypatch.setenv("BACKPROP_STUDIO_LOAD_PLUGINS", "backprop_studio_doubler, tripler")
    registry = current_registry()
    assert {"Doubler", "Tripler"} <= set(registry.layers)
    assert "Other" not in registry.layers


def test_load_plugins_env_names_matching_no_plugin_are_warned_about(fake_site, drop_in, monkeypatch, caplog):
    fake_site("backprop-studio-doubler", "doubler", doubler())
    drop_in("tripler", doubler("Tripler"))
    monkeypatch.setenv("BACKPROP_STUDIO_LOAD_PLUGINS", "nosuch, backprop-studio-doubler, Tripler, "
                                                       "builtin.layers, triplr")
    from desktop_app.plugin_system import current_host

    host = current_host()
    assert host.warnings == [
        "BACKPROP_STUDIO_LOAD_PLUGINS names 'nosuch', which matches no installed plugin; "
        "installed: doubler, tripler",
        "BACKPROP_STUDIO_LOAD_PLUGINS names 'triplr', which matches no installed plugin; "
        "did you mean 'tripler'? installed: doubler, tripler",
    ]
    assert [record.getMessage() for record in caplog.records] == [f"warning: {w}" for w in host.warnings]
    assert {"Doubler", "Tripler"} <= set(host.registry.layers)


def test_drop_in_file_is_loaded_after_entry_points(fake_site, drop_in):
    fake_site("backprop-studio-doubler", "doubler", doubler())
    path = drop_in("tripler", doubler("Tripler"))
    drop_in("broken_file", "def broken(:\n")
    registry = current_registry()
    from desktop_app.plugin_system import current_host

    host = current_host()
    names = list(host.plugins)
    assert names.index("doubler") < names.index("tripler")
    assert names[:len(BUILTIN_TABLES)] == [f"builtin.{kind}" for kind, _, _ in BUILTIN_TABLES]
    tripler = host.plugins["tripler"]
    assert (tripler.source, tripler.location, tripler.status) == ("folder", str(path), "active")
    assert registry.owner("layers", "Tripler") == "tripler"
    broken = host.plugins["broken_file"]
    assert broken.status == "failed" and "SyntaxError" in broken.problems[0].message
    assert str(path.parent / "broken_file.py") in broken.problems[0].message


def test_drop_in_with_the_name_of_an_installed_plugin_is_refused(fake_site, drop_in):
    fake_site("backprop-studio-doubler", "doubler", doubler())
    drop_in("doubler", doubler("Impostor"))
    from desktop_app.plugin_system import current_host

    host = current_host()
    assert host.plugins["doubler"].status == "active"
    [impostor] = [info for key, info in host.plugins.items() if key != "doubler" and info.name == "doubler"]
    assert impostor.status == "failed"
    message = impostor.problems[0].message
    assert "name is already taken by plugin 'doubler' (backprop-studio-doubler 1.0)" in message
    assert "Impostor" not in host.registry.layers


@pytest.mark.parametrize(("kind", "singular"), [("losses", "loss"), ("onnx_mappings", "ONNX mapping")])
def test_a_taken_name_is_refused_with_its_kind_in_the_singular(kind, singular):
    from desktop_app.registry import Registry

    registry = Registry()
    registry.add(kind, "focal", object(), "first")
    with pytest.raises(ValueError) as caught:
        registry.add(kind, "focal", object(), "second")
    assert str(caught.value) == f"{singular} 'focal' is already provided by plugin 'first'"


def test_settings_that_are_not_utf8_are_named(tmp_path):
    from desktop_app.settings import load_settings

    path = tmp_path / "settings.json"
    path.write_bytes(b'{"disabled_plugins": ["caf\xe9"]}')  # Latin-1, not UTF-8
    with pytest.raises(ValueError) as caught:
        load_settings(path)
    assert str(caught.value).startswith(f"{path}: not UTF-8 text (invalid continuation byte at byte 26)")


def test_unreadable_settings_are_reported_and_plugins_still_load(fake_site, tmp_path):
    from desktop_app.settings import settings_path

    settings_path().parent.mkdir(parents=True)
    settings_path().write_text('{"disabled_plugins": [}')
    fake_site("backprop-studio-doubler", "doubler", doubler())
    host = load_plugins(folder=tmp_path / "none")
    assert host.plugins["doubler"].status == "active"
    [warning] = host.warnings
    assert str(settings_path()) in warning and "line 1 column 23" in warning
