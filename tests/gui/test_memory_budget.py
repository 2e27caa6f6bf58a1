"""Live validation refuses a model beyond the memory budget as the node's error, without building it."""

from __future__ import annotations

import tracemalloc

from desktop_app.engine.memory import MEMORY_LIMIT_ENV
from tests.gui.window_input import inspector_editor, type_into


def test_a_billion_units_typed_in_the_inspector_become_the_nodes_error(qtbot, make_window, monkeypatch):
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "12GiB")
    window = make_window()
    designer = window.designer
    designer.scene.select_names(["hidden"])
    tracemalloc.start()
    try:
        type_into(qtbot, inspector_editor(window, "units"), "1000000000")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert window.document.project().node_specs()[1].config["units"] == 10**9
    assert designer.validation.errors["hidden"] == (
        "node 'hidden' (Dense): 65,000,000,000 weights and 1,000,000,000 outputs per sample would need "
        f"976.0 GiB in float32 for one sample; the limit is 12.0 GiB (set by {MEMORY_LIMIT_ENV})"
    )
    assert not designer.graph_valid
    assert peak < 64 * 2**20
