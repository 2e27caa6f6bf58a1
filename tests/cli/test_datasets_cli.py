"""``backprop-studio datasets``: every built-in dataset with its description and options."""

from __future__ import annotations

import json

from desktop_app.data import BUILTIN_DATASETS

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
