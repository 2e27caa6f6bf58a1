"""Project files: round trips, stable formatting, atomic saves, and errors naming file and JSON path."""

from __future__ import annotations

import json
import os

import pytest

from desktop_app.project import (
    EXAMPLES,
    FORMAT_VERSION,
    ProjectError,
    dumps_project,
    example_path,
    load_project,
    parse_project,
    save_project,
)
from desktop_app.project.validation import project_schema


def edit(path, change):
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))
    return path


def test_round_trip_keeps_everything(tiny_file, tiny_project):
    loaded = load_project(tiny_file)
    assert loaded == tiny_project
    assert loaded.path == tiny_file.resolve()
    assert loaded.node("out").position.y == 0.5


def test_saving_twice_gives_the_same_bytes(tiny_file, tmp_path):
    again = tmp_path / "again.bps.json"
    save_project(load_project(tiny_file), again)
    assert again.read_bytes() == tiny_file.read_bytes()


@pytest.mark.parametrize("name", EXAMPLES)
def test_shipped_examples_are_in_canonical_form(name):
    path = example_path(name)
    assert dumps_project(load_project(path)) == path.read_text(encoding="utf-8")


def test_layout_is_stable_and_readable(tiny_project):
    text = dumps_project(tiny_project)
    assert text.endswith("}\n")
    assert '        "position": {"x": 180, "y": 0}' in text
    assert '"config": {"learning_rate": 0.05}' in text
    keys = list(json.loads(text))
    assert keys == ["format_version", "name", "model", "dataset", "training", "weights"]
    tiny_project.nodes[1].config = {"use_bias": True, "units": 4}
    assert text != dumps_project(tiny_project)
    assert dumps_project(tiny_project).index('"units"') < dumps_project(tiny_project).index('"use_bias"')


def test_long_strings_are_not_split(tiny_project):
    tiny_project.description = "x" * 200
    assert json.loads(dumps_project(tiny_project))["description"] == "x" * 200


def test_save_is_atomic_when_the_replace_fails(tiny_file, tiny_project, monkeypatch):
    before = tiny_file.read_bytes()
    tiny_project.name = "changed"

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space left"):
        save_project(tiny_project, tiny_file)
    assert tiny_file.read_bytes() == before
    assert [p.name for p in tiny_file.parent.iterdir()] == [tiny_file.name]


def test_invalid_project_is_not_written(tiny_file, tiny_project):
    before = tiny_file.read_bytes()
    tiny_project.training.batch_size = 0
    with pytest.raises(ProjectError, match=r"\$\.training\.batch_size: 0 is less than the minimum of 1"):
        save_project(tiny_project, tiny_file)
    assert tiny_file.read_bytes() == before


def test_save_without_a_path_is_refused(tiny_project):
    with pytest.raises(ProjectError, match="never been saved; give a file name"):
        save_project(tiny_project)


def test_save_remembers_the_path(tiny_project, tmp_path):
    save_project(tiny_project, tmp_path / "p.bps.json")
    tiny_project.name = "renamed"
    save_project(tiny_project)
    assert load_project(tmp_path / "p.bps.json").name == "renamed"


def test_bad_json_names_line_and_column(tmp_path):
    path = tmp_path / "broken.bps.json"
    path.write_text('{\n  "format_version": 1,\n  "model": [\n}\n')
    with pytest.raises(ProjectError, match=r"broken\.bps\.json: not valid JSON: .* at line 4, column 1"):
        load_project(path)


def test_nan_is_not_json(tiny_file):
    tiny_file.write_text(tiny_file.read_text().replace('"validation_split": 0.25', '"validation_split": NaN'))
    with pytest.raises(ProjectError, match="NaN is not a JSON number"):
        load_project(tiny_file)


def test_missing_file_and_not_utf8(tmp_path):
    with pytest.raises(ProjectError, match=r"nowhere\.bps\.json: cannot read the project file"):
        load_project(tmp_path / "nowhere.bps.json")
    (tmp_path / "latin.bps.json").write_bytes(b'{"name": "caf\xe9"}')
    with pytest.raises(ProjectError, match="not UTF-8 text"):
        load_project(tmp_path / "latin.bps.json")


@pytest.mark.parametrize(
    ("change", "pattern"),
    [
        (lambda d: d["training"].pop("loss"), r"\$\.training: 'loss' is a required property"),
        (lambda d: d["model"]["nodes"][1].update(config=[]),
         r"\$\.model\.nodes\[1\]\.config: \[\] is not of type"),
        (lambda d: d["model"]["nodes"][2].update(color="red"),
         r"\$\.model\.nodes\[2\]: unexpected key 'color' \(expected one of \['config', 'inputs', 'name', "
         r"'position', 'type'\]\)"),
        (lambda d: d["model"]["nodes"][0].update(name="in/put"),
         r"\$\.model\.nodes\[0\]\.name: 'in/put' does not match"),
        (lambda d: d["model"]["nodes"][3]["position"].update(x="left"),
         r"\$\.model\.nodes\[3\]\.position\.x: 'left' is not of type 'number'"),
        (lambda d: d["dataset"].update(scaling="log"), r"\$\.dataset\.scaling: 'log' is not one of"),
        (lambda d: d["training"].update(validation_split=1),
         r"\$\.training\.validation_split: 1 is greater than"),
        (lambda d: d["training"].update(early_stopping={"patience": -1}),
         r"\$\.training\.early_stopping"),
        (lambda d: d.update(plugins={"gadgets": {}}), r"\$\.plugins: 'gadgets' is not one of"),
        (lambda d: d["model"].update(nodes=[]), r"\$\.model\.nodes: \[\] should be non-empty"),
    ],
)
def test_schema_violations_name_the_json_path(tiny_file, change, pattern):
    edit(tiny_file, change)
    with pytest.raises(ProjectError, match=r"tiny\.bps\.json: " + pattern):
        load_project(tiny_file)


def test_graph_references_are_checked_on_load(tiny_file):
    edit(tiny_file, lambda d: d["model"]["nodes"][2].update(name="hidden"))
    with pytest.raises(ProjectError, match=r"\$\.model\.nodes\[2\]\.name: node name 'hidden' is used twice "
                                           r"\(also by node 1\)"):
        load_project(tiny_file)
    edit(tiny_file, lambda d: d["model"]["nodes"][2].update(name="act", inputs=["hiden"]))
    with pytest.raises(ProjectError, match=r"\$\.model\.nodes\[2\]\.inputs\[0\]: node 'act' takes input from "
                                           r"'hiden', which is not a node"):
        load_project(tiny_file)
    edit(tiny_file, lambda d: (d["model"]["nodes"][2].update(inputs=["hidden"]),
                               d["model"].update(outputs=["x"])))
    with pytest.raises(ProjectError, match=r"\$\.model\.outputs\[0\]: output 'x' is not a node"):
        load_project(tiny_file)


def test_omitted_optional_settings_take_defaults():
    text = json.dumps({
        "format_version": 1,
        "model": {"nodes": [{"name": "input", "type": "Input", "params": {"shape": [2]}}]},
        "dataset": {"type": "moons"},
        "training": {"loss": {"type": "mse"}, "optimizer": {"type": "sgd"}},
    })
    project = parse_project(text, "inline")
    assert project.training.schedule.type == "constant"
    assert project.training.batch_size == 32 and project.training.shuffle is True
    assert project.nodes[0].position.x == 0 and project.nodes[0].inputs == []
    assert project.weights is None and project.dtype == "float32"


def test_schema_is_shipped_inside_the_package():
    schema = project_schema()
    assert schema["properties"]["format_version"] == {"const": FORMAT_VERSION}
    assert "$defs" in schema


def test_relative_paths_start_at_the_project_folder(tiny_file):
    project = load_project(tiny_file)
    assert project.resolve("data/x.csv") == tiny_file.resolve().parent / "data" / "x.csv"
    assert project.weights_path() is None
    project.weights = "tiny.weights.npz"
    assert project.weights_path() == tiny_file.resolve().parent / "tiny.weights.npz"


def test_a_key_given_twice_is_refused_not_silently_overwritten(tiny_file):
    tiny_file.write_text(tiny_file.read_text().replace('"epochs": 3', '"epochs": 3, "epochs": 300'))
    with pytest.raises(ProjectError, match=r"tiny\.bps\.json: not valid JSON: the key 'epochs' appears twice "
                                           r"in one object"):
        load_project(tiny_file)


def test_a_utf8_byte_order_mark_is_accepted(tiny_file, tiny_project):
    tiny_file.write_bytes(b"\xef\xbb\xbf" + tiny_file.read_bytes())
    assert load_project(tiny_file) == tiny_project


@pytest.mark.parametrize("depth", [100, 100_000])
def test_deep_nesting_is_a_one_line_error(tiny_file, depth):
    data = json.loads(tiny_file.read_text())
    text = json.dumps(data)[:-1] + ', "junk": ' + "[" * depth + "]" * depth + "}"
    tiny_file.write_text(text)
    with pytest.raises(ProjectError, match=r"tiny\.bps\.json: (\$\.junk\[0\]\[0\]\[0\]\[0\]\[0\]\.\.\.: )?"
                                           r"nested more than 64 levels deep"):
        load_project(tiny_file)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(trainig=d.pop("training")),
         "$: 'training' is a required property; unexpected key 'trainig' (did you mean 'training'?)"),
        (lambda d: d["training"].update(epoch=d["training"].pop("epochs")),
         "$.training: unexpected key 'epoch' (did you mean 'epochs'?)"),
        (lambda d: d["dataset"].update(scalling="minmax"),
         "$.dataset: unexpected key 'scalling' (did you mean 'scaling'?)"),
    ],
)
def test_a_misspelled_key_is_named_with_the_key_it_likely_means(tiny_file, change, message):
    edit(tiny_file, change)
    with pytest.raises(ProjectError) as caught:
        load_project(tiny_file)
    assert str(caught.value) == f"{tiny_file}: {message}"
