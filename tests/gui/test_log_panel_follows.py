"""The log panel shows its newest lines when it comes forward (it is tabbed behind other panels
and fills while hidden), unless the user had scrolled back to read older ones."""

from __future__ import annotations

from desktop_app.gui.log_panel import LogPanel


def at_end(panel: LogPanel) -> bool:
    bar = panel.verticalScrollBar()
    return bar.maximum() > 0 and bar.value() == bar.maximum()


def shown_panel(qtbot) -> LogPanel:
    panel = LogPanel()
    qtbot.addWidget(panel)
    panel.resize(500, 120)
    panel.show()
    qtbot.waitExposed(panel)
    for index in range(20):
        panel.log(f"line {index}")
    return panel


def test_lines_logged_while_hidden_are_in_view_when_it_is_shown_again(qtbot):
    panel = shown_panel(qtbot)
    qtbot.waitUntil(lambda: at_end(panel))
    panel.hide()
    for index in range(200):
        panel.log(f"while hidden {index}")
    panel.show()
    qtbot.waitUntil(lambda: at_end(panel))


def test_a_user_reading_older_lines_is_left_where_they_were(qtbot):
    panel = shown_panel(qtbot)
    panel.verticalScrollBar().setValue(0)
    panel.hide()
    for index in range(200):
        panel.log(f"while hidden {index}")
    panel.show()
    qtbot.wait(50)
    assert panel.verticalScrollBar().value() == 0
