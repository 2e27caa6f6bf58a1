"""The palette comes from the registry alone: a plugin's layer appears, is added, edited and
validated with no GUI code written for it. Also Help > Plugins and File > Export."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6.QtCore import Qt

from desktop_app.engine.layer import Layer, Shape
from desktop_app.engine.schema import ParamSpec, schema
from desktop_app.gui.palette import DESCRIPTION_ROLE
from desktop_app.plugin_system import PluginInfo, PluginProblem, current_registry
from desktop_app.registry import Registry


class Repeat(Layer):
    """A stand-in for a third-party layer: repeats each feature ``times`` times."""

    type_name = "Repeat"
    category = "Experimental"
    description = "Repeats every feature a number of times."
    schema = schema(ParamSpec("times", "int", 2, "copies of each feature", minimum=1, maximum=8))

    def output_shape(self, *input_shapes: Shape) -> Shape:
        return (input_shapes[0][0] * self.config["times"],)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        return np.repeat(x, self.config["times"], axis=1)

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray]:
        return (grad.reshape(grad.shape[0], -1, self.config["times"]).sum(axis=2),)


def with_plugin_layer() -> Registry:
    base = current_registry()
    registry = replace(base, layers=dict(base.layers), owners=dict(base.owners))
    registry.add("layers", "Repeat", Repeat, "repeat-plugin")
    return registry


def groups(palette) -> dict[str, list[str]]:
    tree = palette.tree
    return {
        tree.topLevelItem(i).text(0): [tree.topLevelItem(i).child(j).text(0)
                                       for j in range(tree.topLevelItem(i).childCount())]
        for i in range(tree.topLevelItemCount())
    }


def test_every_registered_layer_is_listed_by_category_with_its_description(make_window):
    window = make_window()
    palette = window.designer.palette
    layers = current_registry().layers
    assert sorted(palette.type_names()) == sorted(layers)
    listed = groups(palette)
    assert list(listed)[0] == "Core"
    for category, names in listed.items():
        assert all(layers[name].category == category for name in names)
    dense = palette.tree.findItems("Dense", Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)[0]
    assert dense.data(0, DESCRIPTION_ROLE) == layers["Dense"].description
    assert layers["Dense"].description in dense.toolTip(0)


def test_search_filters_by_name_category_and_description(qtbot, make_window):
    window = make_window()
    palette = window.designer.palette
    qtbot.keyClicks(palette.search, "pool")
    assert sorted(palette.type_names(visible_only=True)) == ["AvgPool2D", "MaxPool2D"]
    palette.search.clear()
    qtbot.keyClicks(palette.search, "activation tangent")
    assert palette.type_names(visible_only=True) == ["Tanh"]
    hidden_groups = [palette.tree.topLevelItem(i).text(0) for i in range(palette.tree.topLevelItemCount())
                     if palette.tree.topLevelItem(i).isHidden()]
    assert "Core" in hidden_groups and "Activation" not in hidden_groups
    window.designer.scene.select_names(["relu"])
    qtbot.keyClick(palette.search, Qt.Key.Key_Return)  # Enter adds the first match
    assert window.document.project().node_specs()[-1].type == "Tanh"
    palette.search.clear()
    assert len(palette.type_names(visible_only=True)) == len(current_registry().layers)


def test_a_plugin_layer_works_with_no_gui_code(qtbot, make_window):
    window = make_window(registry=with_plugin_layer())
    designer = window.designer
    assert groups(designer.palette)["Experimental"] == ["Repeat"]
    designer.scene.select_names(["relu"])
    designer.palette.tree.setCurrentItem(designer.palette.tree.findItems(
        "Repeat", Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive)[0])
    qtbot.keyClick(designer.palette.tree, Qt.Key.Key_Return)
    assert designer.scene.nodes["repeat_1"].view.shape_text == "(256,)"
    editor = designer.inspector.form.editors["times"]
    assert (editor.minimum(), editor.maximum()) == (1, 8)
    editor.setValue(3)
    assert designer.validation.shapes["repeat_1"] == (384,)
    assert designer.validation.shapes["logits"] == (10,)
    assert designer.graph_valid
    assert "Repeats every feature" in designer.inspector.title.text()


def test_plugins_dialog_lists_plugins_their_items_and_problems(make_window):
    infos = [
        PluginInfo("builtin.layers", "built-in", "desktop_app", contributes={"layers": ["Dense", "ReLU"]}),
        PluginInfo("broken-plugin", "entry point", "broken:plugin", version="0.1",
                   problems=[PluginProblem("broken-plugin", "layer 'Bad' has no type_name")]),
    ]
    window = make_window()
    window._plugin_infos = lambda: infos
    dialog = window.show_plugins()
    tree = dialog.tree
    assert [tree.topLevelItem(i).text(0) for i in range(2)] == ["builtin.layers", "broken-plugin"]
    assert tree.topLevelItem(1).text(1) == "error"
    assert tree.topLevelItem(0).child(0).text(0) == "layers: Dense, ReLU"
    assert "has no type_name" in tree.topLevelItem(1).child(0).text(0)
    dialog.close()


def test_export_writes_the_network_in_the_background(qtbot, make_window, tmp_path):
    window = make_window()
    target = tmp_path / "weights.npz"
    assert window.export_menu.export("npz", target) is not None
    # the log line arrives through the same queued signal as the result: wait for it, not for time
    qtbot.waitUntil(lambda: any(f"Exported npz to {target}" in line for line in window.log_panel.lines()),
                    timeout=10_000)
    with np.load(target, allow_pickle=False) as archive:
        assert archive["hidden/kernel"].shape == (64, 128)
    assert any("no trained weights" in line for line in window.log_panel.lines())


def test_export_failure_is_logged(qtbot, make_window, tmp_path):
    window = make_window()
    assert window.export_menu.export("npz", tmp_path / "missing-folder" / "w.npz") is not None
    qtbot.waitUntil(lambda: any("Export of npz" in line and "failed" in line
                                for line in window.log_panel.lines()), timeout=10_000)
