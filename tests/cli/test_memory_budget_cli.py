"""``train`` refuses a model beyond the memory budget in one line, before allocating its weights."""

from __future__ import annotations

import json
import subprocess

import pytest

from desktop_app.engine.memory import MEMORY_LIMIT_ENV
from desktop_app.project import example_path

from .cli_run import assert_one_line_error, cli_command, cli_env

resource = pytest.importorskip("resource")  # POSIX: the run gets an address-space limit


def limit_address_space() -> None:
    """Runs in the child: 3 GiB of address space, so allocating the weights would fail loudly."""
    resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))


def project_with(tmp_path, units: int, batch_size: int = 16):
    data = json.loads(example_path("xor_mlp").read_text())
    data["model"]["nodes"][1]["config"]["units"] = units
    data["training"]["batch_size"] = batch_size
    path = tmp_path / "huge.bps.json"
    path.write_text(json.dumps(data))
    return path


def train(tmp_path, project, limit: str) -> subprocess.CompletedProcess[str]:
    env = {**cli_env(tmp_path), MEMORY_LIMIT_ENV: limit}
    return subprocess.run(cli_command("train", project, "--out", tmp_path / "run", "--quiet", "--epochs", 1),
                          capture_output=True, text=True, env=env, timeout=180,
                          preexec_fn=limit_address_space)


def test_a_billion_units_fail_in_one_line_naming_the_node_and_the_need(tmp_path):
    result = train(tmp_path, project_with(tmp_path, 10**9), "12GiB")
    assert_one_line_error(
        result, "huge.bps.json: $.model.nodes[1]: node 'hidden' (Dense): 3,000,000,000 weights and "
        "1,000,000,000 outputs per sample would need 52.2 GiB in float32 for one sample; the limit is "
        f"12.0 GiB (set by {MEMORY_LIMIT_ENV})")
    assert "MemoryError" not in result.stderr and not (tmp_path / "run").exists()


def test_the_batch_size_counts_for_training_up_to_the_training_samples(tmp_path):
    result = train(tmp_path, project_with(tmp_path, 10**6, batch_size=4096), "1GiB")
    assert_one_line_error(result, "node 'hidden' (Dense): 3,000,000 weights and 1,000,000 outputs per "
                          "sample would need 1.2 GiB in float32 for a batch of 160")
