"""A node chosen on the canvas brings its editor forward: the Inspector's Layer tab, whichever of
the Inspector's tabs (or the Dataset panel tabbed with it) was in front."""

from __future__ import annotations


def test_choosing_a_node_shows_the_layer_tab_even_from_the_training_tab(make_window):
    window = make_window()
    window.inspector_tabs.setCurrentWidget(window.training_tab)
    window.designer.scene.select_names(["hidden"])
    assert window.inspector_tabs.tabText(window.inspector_tabs.currentIndex()) == "Layer"
    assert window.designer.inspector.node_name == "hidden"


def test_choosing_a_node_brings_the_inspector_in_front_of_the_dataset_panel(make_window):
    window = make_window()
    window.docks["dataset"].raise_()
    window.designer.scene.select_names(["logits"])
    assert not window.docks["inspector"].visibleRegion().isEmpty()
    assert window.docks["dataset"].visibleRegion().isEmpty()
