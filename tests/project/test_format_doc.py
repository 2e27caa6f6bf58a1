"""docs/project-format.md stays true: its examples are the shipped file and a migratable version 0."""

from __future__ import annotations

import re

from desktop_app.paths import REPO_ROOT
from desktop_app.project import example_path, parse_project

DOC = REPO_ROOT / "docs" / "project-format.md"


def json_blocks() -> list[str]:
    return re.findall(r"```json\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_complete_example_is_the_shipped_xor_project():
    assert json_blocks()[0] == example_path("xor_mlp").read_text(encoding="utf-8")


def test_version_0_example_migrates():
    old = next(block for block in json_blocks() if '"format_version": 0' in block)
    project = parse_project(old, "doc")
    assert [node.name for node in project.nodes] == ["input", "dense_1", "relu_2", "dense_3"]
    assert project.training.optimizer.config == {"learning_rate": 0.02}
