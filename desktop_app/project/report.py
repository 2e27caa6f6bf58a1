"""A run, or a comparison of runs, as one self-contained HTML page: plots as embedded PNG images,
each run's status, time and final metrics, and the settings (only those that differ when there
are several runs, every one for a single run). No script, no external file: it opens anywhere
and can be mailed as it is.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from .. import __version__
from .run_store import KeptRun
from .setting_keys import differing, format_value

STYLE = """body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}th{background:#f3f3f3}img{max-width:100%}
.plots{display:flex;flex-wrap:wrap;gap:1em}"""
PLOT_TITLES = {"loss": "Loss", "metric": "Metric", "gradient_norm": "Gradient norm per layer"}


def report_html(runs: Sequence[KeptRun], pngs: Mapping[str, bytes], title: str = "") -> str:
    """The page for ``runs`` (oldest first) with the plots ``pngs`` (by key, see ``run_plots``)."""
    title = title or (f"Run {runs[0].label}" if len(runs) == 1 else f"{len(runs)} runs compared")
    parts = [f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{_e(title)}</title>"
             f"<style>{STYLE}</style></head><body><h1>{_e(title)}</h1>",
             f"<p>Written {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by Backprop Studio {__version__}.</p>",
             "<h2>Runs</h2>", _runs_table(runs), "<h2>Curves</h2><div class='plots'>"]
    for key, data in pngs.items():
        encoded = base64.b64encode(data).decode("ascii")
        caption = _e(PLOT_TITLES.get(key, key))
        parts.append(f"<figure><img alt='{caption}' src='data:image/png;base64,{encoded}'>"
                     f"<figcaption>{caption}</figcaption></figure>")
    parts.append("</div>")
    parts.append(_settings_table(runs))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _runs_table(runs: Sequence[KeptRun]) -> str:
    finals = [_final_values(run) for run in runs]
    metrics = list(dict.fromkeys(name for final in finals for name in final))
    header = ["Run", "Status", "Started", "Seconds", "Epochs", "Best", *metrics, "Note"]
    rows = []
    for run, final in zip(runs, finals, strict=True):
        best = run.best
        manifest = run.manifest
        rows.append([run.label, run.status, str(manifest.get("started", "")),
                     format_value(manifest.get("seconds")), format_value(manifest.get("epochs_completed")),
                     f"{best['name']} {best['value']:.4g} (epoch {best['epoch']})" if best else "-",
                     *(format_value(final.get(name)) for name in metrics), run.notes.get("note", "")])
    return _table(header, rows)


def _final_values(run: KeptRun) -> dict[str, float]:
    """The last epoch's logged values (the final metrics), without the learning rate and timing."""
    history = run.history()
    skipped = {"epoch", "lr", "seconds", "samples_per_second"}
    return {f"final {name}": values[-1] for name, values in history.items() if name not in skipped and values}


def _settings_table(runs: Sequence[KeptRun]) -> str:
    settings = [run.settings for run in runs]
    if len(runs) == 1:
        names, heading = list(settings[0]), "<h2>Settings</h2>"
    else:
        names = differing(settings)
        heading = "<h2>Settings that differ</h2>" if names else "<h2>Settings</h2><p>All the same.</p>"
    rows = [[name, *(format_value(one.get(name)) for one in settings)] for name in names]
    return heading + (_table(["Setting", *(run.label for run in runs)], rows) if rows else "")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{_e(cell)}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)
