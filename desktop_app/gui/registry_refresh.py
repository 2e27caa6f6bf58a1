"""After plugins changed: the window's registry takes the reloaded one's contents, and every view
that lists types (palette, inspector, training and dataset choosers, File > Export) shows them.

The registry is updated in place rather than replaced: the designer, the export menu and the
training controller all hold the window's Registry object, so they use the new types without each
being told; only the widgets that built lists from it are refilled here.
"""

from __future__ import annotations

from ..registry import KINDS, Registry
from .designer import Designer
from .exporting import ExportMenu
from .training_settings import SECTIONS


def update_registry(target: Registry, source: Registry) -> None:
    """Make ``target`` hold exactly what ``source`` holds.

    New entries are added before stale ones are removed, so a background task looking a name up
    meanwhile (a dataset loading, an export) never misses one that exists before and after.
    """
    for table_name in (*KINDS, "owners", "unloaded", "distributions"):
        table, new = getattr(target, table_name), getattr(source, table_name)
        table.update(new)
        for key in [key for key in table if key not in new]:
            del table[key]


def apply_registry(current: Registry, reloaded: Registry, designer: Designer,
                   export_menu: ExportMenu) -> None:
    """Make ``current`` (the window's) hold ``reloaded``, show its types in the designer's views and
    File > Export, then revalidate the graph."""
    update_registry(current, reloaded)
    designer.palette.set_layer_types(current.layers)
    designer.inspector.show_node(None)  # drop its cached form: the layer class may have changed
    for section, kind, _title in SECTIONS:
        designer.training.components[section].set_types(current.table(kind))
    designer.dataset.source.set_types(current.datasets)
    export_menu.fill()
    designer.refresh()
