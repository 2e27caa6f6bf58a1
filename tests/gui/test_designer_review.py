"""What a student saw when using the designer: importing a file again after fixing it."""

from __future__ import annotations


def test_importing_the_same_file_again_after_fixing_it_reads_it_again(qtbot, make_window, tmp_path):
    path = tmp_path / "pets.csv"
    path.write_text("a,b,label\n1,2,cat\n3,oops,dog\n")
    window = make_window()
    panel = window.designer.dataset
    with qtbot.waitSignal(panel.failed, timeout=10_000):
        panel.import_file(str(path))
    steps = window.document.undo_stack.count()
    path.write_text("a,b,label\n1,2,cat\n3,4,dog\n5,6,cat\n7,8,dog\n")
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        panel.import_file(str(path))
    assert not panel.error.isVisible()
    assert "4 samples" in panel.info.text() and "cat (2), dog (2)" in panel.info.text()
    assert window.document.undo_stack.count() == steps  # the same source: no new undo step
    assert window.designer.dataset.dataset is not None and len(window.designer.dataset.dataset) == 4
