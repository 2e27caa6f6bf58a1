"""``backprop-studio datasets``: every built-in dataset with its description and options."""

from __future__ import annotations

import json

from desktop_app.data import BUILTIN_DATASETS
from desktop_app.data.toys import Spiral

from .cli_run import run_cli


def test_lists_builtins_with_descriptions_and_options(tmp_path):
    result = run_cli("datasets", home=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    for cls in BUILTIN_DATASETS:
        header = next(line for line in lines if line.startswith(f"{cls.type_name}  "))
        assert cls.description in header
    assert "    n_samples: int = 300 (4..1000000)  number of points" in lines
    assert "    layout: one of ['flat', 'image'] = \"flat\"  flat: (64,) samples for dense layers; image: " \
           "(1, 8, 8) for convolutions" in lines
    assert any(line.startswith("    path: str required") for line in lines)


def test_json_output(tmp_path):
    result = run_cli("datasets", "--json", home=tmp_path)
    assert result.returncode == 0, result.stderr
    entries = {entry["name"]: entry for entry in json.loads(result.stdout)["datasets"]}
    assert set(entries) == {cls.type_name for cls in BUILTIN_DATASETS}
    spiral = entries["spiral"]
    assert spiral["category"] == "Generated" and spiral["plugin"] is None
    assert [option["name"] for option in spiral["options"]] == ["n_samples", "classes", "noise", "seed"]
    assert spiral["options"][1] == {"name": "classes", "kind": "int", "default": 3,
                                    "doc": "number of classes", "minimum": 2, "maximum": 10}


def test_unknown_option_is_refused(tmp_path):
    result = run_cli("datasets", "--fancy", home=tmp_path)
    assert result.returncode == 2
    assert "unrecognized arguments: --fancy" in result.stderr and "Traceback" not in result.stderr


def test_builtin_datasets_show_their_features_in_order_with_ranges(tmp_path):
    """What ``predict`` reads: the features of a sample, in order, and the values they take."""
    result = run_cli("datasets", home=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    heading = "    features (in this order; ranges with the default options): "
    assert heading + ("sepal_length_cm 4.3..7.9, sepal_width_cm 2..4.4, petal_length_cm 1..6.9, "
                      "petal_width_cm 0.1..2.5") in lines
    assert heading + "64 values, each within 0..16" in lines
    sine = next(line for line in lines if line.startswith(heading + "x "))
    low, high = map(float, sine.removeprefix(heading + "x ").split(".."))
    assert -3.1416 <= low < -3.1 and 3.1 < high <= 3.1416
    spiral = lines[lines.index(next(line for line in lines if line.startswith("spiral  "))) + 5]
    assert spiral.startswith(heading + "x1 -0.") and ", x2 -0." in spiral
    csv_entry = lines.index(next(line for line in lines if line.startswith("csv  ")))
    assert not any(line.startswith("    features") for line in lines[csv_entry:csv_entry + 6])


def test_json_features_are_the_default_datasets_ranges(tmp_path):
    result = run_cli("datasets", "--json", home=tmp_path)
    entries = {entry["name"]: entry for entry in json.loads(result.stdout)["datasets"]}
    x = Spiral().load().x  # with its default options
    assert entries["spiral"]["features"] == [
        {"name": "x1", "min": float(str(x[:, 0].min())), "max": float(str(x[:, 0].max()))},
        {"name": "x2", "min": float(str(x[:, 1].min())), "max": float(str(x[:, 1].max()))},
    ]
    assert [feature["name"] for feature in entries["optdigits"]["features"]] == [None] * 64
    assert entries["csv"]["features"] is None and entries["idx"]["features"] is None
