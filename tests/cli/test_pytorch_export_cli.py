"""``export --format pytorch``: the folder it writes, and one clear line (exit 2, nothing written)
for a folder of other files, options that do not apply, a plugin item without PyTorch code and a
missing torch. The app itself never imports torch."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
from export.pytorch_runs import require_torch

from desktop_app.engine.layers.activations import Activation
from desktop_app.project import example_path
from desktop_app.testing import plugin_host, register_plugin  # noqa: F401  (fixtures)

from .cli_run import assert_one_line_error, cli_env, main_error, run_cli

EXPORTED = {"README.md", "app_weights.py", "data.npz", "data.py", "layers.py", "metrics.py", "model.py",
            "recipe.py", "requirements.txt", "train.py", "weights.pt"}


def test_export_writes_a_training_project_and_replaces_an_earlier_one(tmp_path) -> None:
    """...and its train.py refuses weights of another network in one line, writing nothing."""
    require_torch()
    out = tmp_path / "xor-pytorch"
    first = run_cli("export", example_path("xor_mlp"), "--format", "PyTorch", "-o", out, home=tmp_path,
                    cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "with the initial weights (the project's seed)" in first.stdout
    assert {path.name for path in out.iterdir()} == EXPORTED
    assert "class XORMLP(nn.Module)" in (out / "model.py").read_text()
    (out / "model.py").write_text("edited")
    again = run_cli("export", example_path("xor_mlp"), "--format", "pytorch", "-o", out, home=tmp_path,
                    cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "class XORMLP" in (out / "model.py").read_text()
    np.savez(tmp_path / "other.npz", **{"dense/kernel": np.zeros((2, 2))})
    refused = subprocess.run([sys.executable, "train.py", "--weights", tmp_path / "other.npz"],
                             cwd=out, capture_output=True, text=True, timeout=180)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'other.npz'}: the weights do not fit this network: missing ['hidden/bias', "
        "'hidden/kernel', 'logit/bias', 'logit/kernel'], not in the network ['dense/kernel']"]
    assert not (out / "run").exists()


def test_a_folder_holding_other_files_is_refused_and_left_alone(tmp_path, capsys) -> None:
    require_torch()
    out = tmp_path / "mine"
    out.mkdir()
    (out / "train.py").write_text("my own")
    line = main_error(capsys, "export", example_path("xor_mlp"), "--format", "pytorch", "-o", out)
    assert f"the folder {out} holds other files" in line
    assert [path.name for path in out.iterdir()] == ["train.py"]
    assert (out / "train.py").read_text() == "my own"


def test_options_of_other_formats_are_refused(tmp_path, capsys) -> None:
    project = example_path("xor_mlp")
    line = main_error(capsys, "export", project, "--format", "pytorch", "--raw", "-o", tmp_path / "x")
    assert "--raw is for ONNX exports" in line
    line = main_error(capsys, "export", project, "--initial", "-o", tmp_path / "x.onnx")
    assert "--initial is for the pytorch format" in line
    assert not list(tmp_path.iterdir())


class Cube(Activation):
    type_name = "Cube"
    description = "x cubed"

    def forward(self, x, training=False):
        return x**3

    def backward(self, grad):
        return (grad,)


class CubePlugin:
    from desktop_app.hookspecs import hookimpl

    @staticmethod
    @hookimpl
    def register_layers(register):
        register(Cube)


def test_a_plugin_layer_without_pytorch_code_names_itself_and_its_plugin(tmp_path, capsys,
                                                                         register_plugin) -> None:  # noqa: F811
    require_torch()
    register_plugin(CubePlugin(), "cubes")
    data = json.loads(example_path("xor_mlp").read_text())
    data["model"]["nodes"][2].update(name="cubed", type="Cube", config={})
    data["model"]["nodes"][3]["inputs"] = ["cubed"]
    project = tmp_path / "cube.bps.json"
    project.write_text(json.dumps(data))
    line = main_error(capsys, "export", project, "--format", "pytorch", "-o", tmp_path / "out")
    assert "node 'cubed': the layer type 'Cube' of plugin 'cubes' has no PyTorch code" in line
    assert "register_pytorch_code" in line
    assert not (tmp_path / "out").exists()


def test_without_torch_the_export_says_how_to_install_it(tmp_path) -> None:
    shadow = tmp_path / "shadow" / "torch"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('No module named torch')\n")
    env = {**cli_env(tmp_path), "PYTHONPATH": str(tmp_path / "shadow")}
    result = subprocess.run([sys.executable, "-m", "desktop_app", "export", str(example_path("xor_mlp")),
                             "--format", "pytorch", "-o", str(tmp_path / "out")],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert_one_line_error(result, "the PyTorch export needs torch: pip install 'backprop-studio[pytorch]'")
    assert not (tmp_path / "out").exists()


def test_the_app_never_imports_torch(tmp_path) -> None:
    modules = ["desktop_app.cli", "desktop_app.cli.export_cmd", "desktop_app.gui.main_window",
               "desktop_app.project.pytorch_export", "desktop_app.export.pytorch_model",
               "desktop_app.plugin_system"]
    code = f"import sys\nfor m in {modules!r}: __import__(m)\nprint('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env={**cli_env(tmp_path), "QT_QPA_PLATFORM": "offscreen"})
    assert result.stdout.strip() == "False", result.stderr


def test_an_earlier_export_is_replaced_only_when_nothing_of_it_would_be_left_beside_the_new(tmp_path) -> None:
    """Until this change the new files replaced the old ones and left the rest: the results of
    the earlier export's train.py (run/), or its plugin_code.py, beside code they do not belong to."""
    require_torch()
    out = tmp_path / "xor-pytorch"
    assert run_cli("export", "xor_mlp", "--format", "pytorch", "-o", out, home=tmp_path).returncode == 0
    (out / "__pycache__").mkdir()  # what running train.py adds, checked against the sources: kept
    (out / "model.py").write_text("edited")
    (out / "run").mkdir()
    (out / "run" / "history.csv").write_text("epoch,loss\n1,0.7\n")
    assert_one_line_error(run_cli("export", "xor_mlp", "--format", "pytorch", "-o", out, home=tmp_path),
                          f"the folder {out} holds other files (run)", "choose a new folder")
    shutil.rmtree(out / "run")
    (out / "plugin_code.py").write_text("old")
    assert_one_line_error(run_cli("export", "xor_mlp", "--format", "pytorch", "-o", out, home=tmp_path),
                          f"the folder {out} holds other files (plugin_code.py)")
    (out / "plugin_code.py").unlink()
    assert (out / "model.py").read_text() == "edited"  # nothing was written
    again = run_cli("export", "xor_mlp", "--format", "pytorch", "-o", out, home=tmp_path)
    assert again.returncode == 0, again.stderr
    assert {path.name for path in out.iterdir()} == EXPORTED | {"__pycache__"}
    assert "class XORMLP" in (out / "model.py").read_text()


def test_a_dataset_over_the_memory_budget_is_refused_in_one_line_before_anything_is_written(tmp_path) -> None:
    require_torch()
    data = json.loads(example_path("spiral_mlp").read_text())
    data["dataset"]["options"]["n_samples"] = 100_000  # 100,000 x 2 float64 samples: 1.5 MiB
    project = tmp_path / "big.bps.json"
    project.write_text(json.dumps(data))
    env = {**cli_env(tmp_path), "BACKPROP_STUDIO_MEMORY_LIMIT": "2M"}
    result = subprocess.run([sys.executable, "-m", "desktop_app", "export", project, "--format", "pytorch",
                             "--initial", "-o", tmp_path / "out"], capture_output=True, text=True, env=env,
                            timeout=180)
    assert_one_line_error(result, "the dataset spiral (100000 samples, ", "is too large to export",
                          "over the memory budget of 2.0 MiB (set by BACKPROP_STUDIO_MEMORY_LIMIT)")
    assert not (tmp_path / "out").exists()


def test_running_out_of_memory_while_exporting_the_data_is_one_line(tmp_path, capsys, monkeypatch) -> None:
    require_torch()
    from desktop_app.project import pytorch_export

    def out_of_memory(*args):
        raise MemoryError("Unable to allocate 9.31 GiB for an array with shape (1250000000,)")

    monkeypatch.setattr(pytorch_export, "_data_npz", out_of_memory)
    line = main_error(capsys, "export", "xor_mlp", "--format", "pytorch", "-o", tmp_path / "out")
    assert line == ("error: the dataset of XOR MLP does not fit in memory to be exported as data.npz "
                    "(Unable to allocate 9.31 GiB for an array with shape (1250000000,))")
    assert not (tmp_path / "out").exists()
