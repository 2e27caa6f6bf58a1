"""Targets that do not fit the loss or the output stop every command that trains with one line
naming the project setting to change (the engine's one target check, in the data layer's words)."""

from __future__ import annotations

import json

import pytest

from .cli_run import assert_one_line_error, run_cli, saved_xor


@pytest.mark.parametrize("command", ["train", "check", "lr-find"])
def test_an_output_that_does_not_fit_the_classes_is_one_line(command, tmp_path):
    path = saved_xor(tmp_path)
    data = json.loads(path.read_text())
    data["model"]["nodes"][-1]["config"]["units"] = 3
    path.write_text(json.dumps(data))
    assert_one_line_error(run_cli(command, path, home=tmp_path),
                          "$.model.nodes[3]: dataset 'xor' has 2 classes, so the model must output shape "
                          "(2,) or (1,) for a binary loss. Received model output shape (3,)")


def test_a_loss_for_another_task_is_one_line_naming_the_loss(tmp_path):
    path = saved_xor(tmp_path)
    data = json.loads(path.read_text())
    data["dataset"] = {"type": "sine", "options": {}}
    data["model"]["nodes"][0]["config"]["shape"] = [1]
    data["training"]["metrics"] = []
    path.write_text(json.dumps(data))
    assert_one_line_error(run_cli("train", path, home=tmp_path),
                          "$.training.loss: dataset 'sine' holds regression targets; a binary loss needs "
                          "class labels")
