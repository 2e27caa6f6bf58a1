"""``backprop-studio report RUN [RUN...] -o page.html``: kept runs as one self-contained HTML page.

One run: its curves, status, final metrics and every setting. Several: their curves overlaid and
the settings that differ (``desktop_app.project.report``). The plots are drawn off screen, as the
window's Runs panel draws them (``desktop_app.run_plots``), and embedded as PNG images.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..fileio import atomic_write_text
from .inputs import refuse_run_files
from .kept_runs import RUN_HELP, chosen_run
from .parsing import examples


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "report", help="write kept runs as one HTML page (plots, settings, final metrics)",
        description="Write one run, or a comparison of several, as a self-contained HTML page: the "
        "curves as embedded PNG images, each run's status and final metrics, and the settings.",
        epilog=examples(("report runs/my/20261205-083012-3fa1 -o run.html", "one run"),
                        ("report runs/my/2026* -o compare.html", "every run of the day, compared")),
    )
    parser.add_argument("runs", metavar="RUN", nargs="+", help=RUN_HELP)
    parser.add_argument("-o", "--output", metavar="HTML", required=True, help="the page to write")
    parser.set_defaults(func=run_report)


def run_report(args: argparse.Namespace) -> int:
    from ..project.report import report_html
    from ..run_plots import plot_pngs  # Qt: imported only when a report is written

    runs = sorted((chosen_run(given) for given in args.runs),
                  key=lambda run: (str(run.manifest.get("started", "")), run.id))
    output = Path(args.output)
    refuse_run_files(output)
    atomic_write_text(output, report_html(runs, plot_pngs(runs)))
    print(f"wrote {output} ({len(runs)} run(s))")
    return 0
