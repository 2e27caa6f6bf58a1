"""A tiny project (XOR, a 2-4-1 network) that trains in milliseconds, saved to a temp folder."""

from __future__ import annotations

import pytest

from desktop_app.project import ComponentRef, DatasetRef, NodeEntry, Position, Project, TrainingSettings


def make_tiny_project() -> Project:
    return Project(
        nodes=[
            NodeEntry("input", "Input", {"shape": [2]}, [], Position(0, 0)),
            NodeEntry("hidden", "Dense", {"units": 4}, ["input"], Position(180, 0)),
            NodeEntry("act", "Tanh", {}, ["hidden"], Position(360, 0)),
            NodeEntry("out", "Dense", {"units": 1}, ["act"], Position(540, 0.5)),
        ],
        dataset=DatasetRef("xor", {"n_samples": 64, "seed": 1}, scaling="standardize"),
        training=TrainingSettings(
            loss=ComponentRef("binary_crossentropy"),
            optimizer=ComponentRef("adam", {"learning_rate": 0.05}),
            batch_size=16,
            epochs=3,
            seed=7,
            validation_split=0.25,
            metrics=["accuracy"],
        ),
        name="tiny",
    )


@pytest.fixture
def tiny_project() -> Project:
    return make_tiny_project()


@pytest.fixture
def tiny_file(tmp_path):
    from desktop_app.project import save_project

    path = tmp_path / "tiny.bps.json"
    save_project(make_tiny_project(), path)
    return path
