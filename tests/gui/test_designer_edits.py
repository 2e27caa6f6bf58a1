"""Graph edits, auto-layout and live validation: the plain functions under the designer."""

from __future__ import annotations

import pytest

from desktop_app.engine.graph import NodeSpec
from desktop_app.gui import graph_edits as edits
from desktop_app.gui.canvas import style
from desktop_app.gui.canvas.layout import layered_positions
from desktop_app.gui.document import blank_project
from desktop_app.gui.validation import validate
from desktop_app.plugin_system import current_registry


def empty() -> dict:
    return blank_project().to_json()


def names(data: dict) -> list[str]:
    return [item["name"] for item in edits.nodes(data)]


def inputs(data: dict, name: str) -> list[str]:
    return edits.node(data, name)["inputs"]


def stack(*types: str) -> dict:
    data = empty()
    previous = None
    for type_name in types:
        previous = edits.add_node(data, type_name, {}, after=previous)
    return data


def test_names_are_unique_and_readable():
    data = stack("Input", "Dense", "Dense", "ReLU", "Input")
    assert names(data) == ["input", "dense_1", "dense_2", "relu_1", "input_1"]


def test_adding_after_a_node_inserts_it_and_moves_the_rest_down():
    data = stack("Input", "Dense", "ReLU")
    before = {name: edits.position(edits.node(data, name)) for name in names(data)}
    new = edits.add_node(data, "Dropout", {"rate": 0.2}, after="dense_1")
    assert inputs(data, new) == ["dense_1"]
    assert inputs(data, "relu_1") == [new]
    assert edits.position(edits.node(data, new)) == (before["dense_1"][0], before["dense_1"][1] + edits.ROW)
    assert edits.position(edits.node(data, "relu_1"))[1] == before["relu_1"][1] + edits.ROW
    assert edits.position(edits.node(data, "input")) == before["input"]
    assert edits.node(data, new)["config"] == {"rate": 0.2}


def test_adding_without_anchor_goes_below_the_lowest_node():
    data = stack("Input", "Dense")
    lowest = edits.position(edits.node(data, "dense_1"))
    new = edits.add_node(data, "ReLU", {})
    assert inputs(data, new) == []
    assert edits.position(edits.node(data, new)) == (lowest[0], lowest[1] + edits.ROW)


def test_remove_drops_every_connection_and_output():
    data = stack("Input", "Dense", "ReLU")
    data["model"]["outputs"] = ["relu_1"]
    edits.remove_nodes(data, ["dense_1", "relu_1"])
    assert names(data) == ["input"]
    assert "outputs" not in data["model"]


def test_duplicate_keeps_outside_inputs_and_maps_links_inside_the_copy():
    data = stack("Input", "Dense", "ReLU")
    copies = edits.duplicate_nodes(data, ["dense_1", "relu_1"])
    assert copies == ["dense_2", "relu_2"]
    assert inputs(data, "dense_2") == ["input"]
    assert inputs(data, "relu_2") == ["dense_2"]
    assert not edits.overlapping(data)


def test_connect_replaces_the_input_of_a_single_input_layer():
    data = stack("Input", "Dense")
    edits.add_node(data, "Input", {}, at=(400, 0))
    edits.connect(data, "input_1", "dense_1", max_inputs=1)
    assert inputs(data, "dense_1") == ["input_1"]


def test_merge_layers_take_several_inputs_in_connection_order():
    data = stack("Input", "Dense")
    edits.add_node(data, "Dense", {}, after="input")
    add = edits.add_node(data, "Add", {}, at=(0, 600))
    edits.connect(data, "dense_2", add, max_inputs=None)
    edits.connect(data, "dense_1", add, max_inputs=None)
    edits.connect(data, "dense_1", add, max_inputs=None)  # already there: no duplicate
    assert inputs(data, add) == ["dense_2", "dense_1"]


@pytest.mark.parametrize(("source", "target", "message"), [
    ("dense_1", "dense_1", "its own output"),
    ("dense_1", "input", "takes no inputs"),
    ("nowhere", "dense_1", "no node named 'nowhere'"),
])
def test_impossible_connections_are_refused_with_the_reason(source, target, message):
    data = stack("Input", "Dense")
    with pytest.raises(edits.EditError, match=message):
        edits.connect(data, source, target, max_inputs=0 if target == "input" else 1)


def test_rename_updates_every_reference_and_refuses_bad_names():
    data = stack("Input", "Dense", "ReLU")
    data["model"]["outputs"] = ["dense_1"]
    edits.rename_node(data, "dense_1", "hidden")
    assert inputs(data, "relu_1") == ["hidden"]
    assert data["model"]["outputs"] == ["hidden"]
    with pytest.raises(edits.EditError, match="already exists"):
        edits.rename_node(data, "hidden", "relu_1")
    with pytest.raises(edits.EditError, match="Received: 'a/b'"):
        edits.rename_node(data, "hidden", "a/b")


def test_set_param_stores_tuples_as_json_lists():
    data = stack("Input", "Conv2D")
    edits.set_param(data, "conv2d_1", "kernel_size", (5, 5))
    assert edits.node(data, "conv2d_1")["config"]["kernel_size"] == [5, 5]


def test_input_shape_follows_a_given_shape():
    data = stack("Input", "Dense")
    assert edits.set_input_shape(data, (64,)) == ["input"]
    assert edits.set_input_shape(data, (64,)) == []
    assert edits.node(data, "input")["config"]["shape"] == [64]


def test_layout_puts_a_stack_in_one_straight_column():
    spots = layered_positions({"a": [], "b": ["a"], "c": ["b"]})
    xs = {x for x, _ in spots.values()}
    ys = [spots[name][1] for name in "abc"]
    assert len(xs) == 1
    assert ys == sorted(ys) and len(set(ys)) == 3


def test_layout_puts_branches_side_by_side_and_the_merge_below_both():
    spots = layered_positions({"in": [], "left": ["in"], "right": ["in"], "add": ["left", "right"]})
    assert spots["left"][1] == spots["right"][1]
    assert abs(spots["left"][0] - spots["right"][0]) >= style.NODE_WIDTH
    assert spots["add"][1] > spots["left"][1]
    assert not edits.overlapping({"model": {"nodes": [
        {"name": n, "position": {"x": x, "y": y}} for n, (x, y) in spots.items()]}})


def test_layout_keeps_a_skip_connection_clear_of_the_nodes_it_skips():
    spots = layered_positions({"in": [], "a": ["in"], "b": ["a"], "add": ["b", "in"]})
    skip_x = spots["in"][0] + style.NODE_WIDTH / 2  # the edge runs straight down from "in" to "add"
    assert spots["add"][0] == spots["in"][0]
    for skipped in ("a", "b"):
        left = spots[skipped][0]
        assert not left <= skip_x <= left + style.NODE_WIDTH


def test_layout_of_a_cycle_terminates():
    spots = layered_positions({"a": ["b"], "b": ["a"], "c": []})
    assert set(spots) == {"a", "b", "c"}


def test_validation_reports_every_independent_error_and_shapes_of_the_rest():
    layers = current_registry().layers
    nodes = [
        NodeSpec("input", "Input", {"shape": [64]}),
        NodeSpec("pool", "MaxPool2D", {}, ["input"]),      # needs images: shape error
        NodeSpec("after_pool", "ReLU", {}, ["pool"]),       # unknown: depends on the error
        NodeSpec("dense", "Dense", {"units": 8}, ["input"]),
        NodeSpec("loose", "Dense", {"units": 4}),           # no input connected
    ]
    result = validate(nodes, layers)
    assert not result.valid
    assert set(result.errors) == {"pool", "loose"}
    assert "MaxPool2D" in result.errors["pool"] and "(64,)" in result.errors["pool"]
    assert "connect an input" in result.errors["loose"]
    assert result.shapes == {"input": (64,), "dense": (8,)}
    assert "after_pool" not in result.shapes and "after_pool" not in result.errors


def test_validation_of_a_good_graph_gives_the_summary():
    layers = current_registry().layers
    nodes = [NodeSpec("input", "Input", {"shape": [64]}), NodeSpec("out", "Dense", {"units": 10}, ["input"])]
    result = validate(nodes, layers)
    assert result.valid and not result.messages()
    assert [(row["name"], row["parameters"]) for row in result.summary] == [("input", 0), ("out", 650)]


def test_problems_of_the_whole_graph_are_general_errors():
    layers = current_registry().layers
    assert "no nodes" in validate([], layers).general_error
    only_input = validate([NodeSpec("input", "Input", {"shape": [2]})], layers)
    assert "no output" in only_input.general_error and not only_input.valid
    loose = validate([NodeSpec("d", "Dense", {"units": 2}, [])], layers)
    assert set(loose.errors) == {"d"} and not loose.general_error
