"""What the plugin manager says about a plugin: its details, why an action is unavailable, and
when only a restart finishes a change."""

from __future__ import annotations

import html
import sys
from collections.abc import Iterable
from typing import Literal

from ..plugin_system import PluginInfo

Action = Literal["uninstall", "enable", "disable"]
STATUS_COLORS = {"active": "#1a7f37", "error": "#d1242f", "failed": "#d1242f",
                 "disabled": "#6e7781", "not loaded": "#9a6700"}
# how the contribution kinds read in the dialog (the others are their registry names)
_KIND_LABELS = {"onnx_mappings": "ONNX mappings", "pytorch_code": "PyTorch code"}
_PAST = {"uninstall": "uninstalled", "enable": "enabled", "disable": "disabled"}


def refusal(info: PluginInfo, action: Action) -> str:
    """Why ``action`` cannot be applied to ``info`` (a button's tooltip); empty when it can."""
    if info.builtin:
        if action == "enable":
            return "Built-in plugins are part of Backprop Studio: they are always enabled."
        return f"Built-in plugins are part of Backprop Studio: they cannot be {_PAST[action]}."
    if info.source == "registered":
        return f"'{info.name}' was registered by code at run time: it is not installed, so it cannot be " \
               f"{_PAST[action]} here."
    if action == "enable" and info.status != "disabled":
        reason = f" ({info.reason})" if info.reason else ""
        return f"'{info.name}' is not disabled{reason}."
    if action == "disable" and info.status == "disabled":
        return f"'{info.name}' is already disabled."
    return ""


def contribution(kind: str, names: list[str]) -> str:
    """``layers: Swish, LayerNorm``: one kind of item a plugin contributes."""
    return f"{_KIND_LABELS.get(kind, kind)}: {', '.join(names)}"


def describe(info: PluginInfo, tracebacks: bool = False) -> str:
    """The plugin as HTML: origin, status, contributions and problems (tracebacks on request)."""
    e = html.escape
    color = STATUS_COLORS.get(info.status, "#1f2328")
    lines = [f"<h3>{e(info.name)} <small>{e(info.version or '')}</small></h3>",
             f"<p><b>Status:</b> <span style='color:{color}'>{e(info.status)}</span>"
             + (f" — {e(info.reason)}" if info.reason else "") + "</p>",
             f"<p><b>Source:</b> {e(info.source)}"
             + (f" — distribution {e(info.distribution)}" if info.distribution else "")
             + f"<br><b>Location:</b> <code>{e(info.location)}</code></p>"]
    if info.contributes:
        items = "".join(f"<li>{e(contribution(kind, names))}</li>"
                        for kind, names in sorted(info.contributes.items()))
        lines.append(f"<p><b>Contributes:</b></p><ul>{items}</ul>")
    elif info.status == "active":
        lines.append("<p>Contributes nothing (it may only listen to training events).</p>")
    for problem in info.problems:
        lines.append(f"<p style='color:#d1242f'><b>Problem:</b> {e(problem.message)}</p>")
        if tracebacks and problem.traceback:
            lines.append(f"<pre>{e(problem.traceback)}</pre>")
    if info.problems and not tracebacks and any(p.traceback for p in info.problems):
        lines.append("<p><i>Tick “Show tracebacks” for where it went wrong.</i></p>")
    return "".join(lines)


def imported_versions(infos: Iterable[PluginInfo]) -> dict[str, str | None]:
    """Entry-point plugins whose module this process has imported: name -> the imported version.

    Python keeps an imported module until the process ends, so removing or upgrading its
    distribution only takes full effect after a restart (drop-in files are re-read on every load).
    """
    return {info.name: info.version for info in infos
            if info.source == "entry point" and info.location.partition(":")[0] in sys.modules}


def restart_notes(imported: dict[str, str | None], infos: Iterable[PluginInfo]) -> list[str]:
    """What still needs a restart after a change, given ``imported_versions`` taken before it."""
    now = {info.name: info for info in infos}
    notes = []
    for name, version in imported.items():
        info = now.get(name)
        if info is None:
            notes.append(f"'{name}' is uninstalled and its items are gone, but its code was already "
                         "imported: restart Backprop Studio to unload it.")
        elif info.version != version:
            notes.append(f"'{name}' {info.version} is installed, but version {version} was already "
                         f"imported and is what runs: restart Backprop Studio to use {info.version}.")
    return notes
