"""``backprop-studio plugins list|install|uninstall|enable|disable``: see and manage plugins.

Errors from ``desktop_app.plugin_system.admin`` are ValueErrors: the CLI prints them as one line, exit 2.
"""

from __future__ import annotations

import argparse
import json

from ..plugin_system import PluginInfo, current_host
from ..plugin_system import admin as plugin_admin
from ..plugin_system.discovery import ENTRY_POINT_GROUP
from ..settings import plugin_dir
from .parsing import examples


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "plugins", help="list, install, uninstall, enable or disable plugins",
        description="Manage the plugins that add layers, losses, optimizers, datasets and exporters.",
        epilog=examples(("plugins list", "third-party plugins, their status and errors"),
                        ("plugins install backprop-studio-extra-layers", "from PyPI, with pip"),
                        ("plugins install my_plugin.py", "a drop-in file, copied into the plugin folder"),
                        ("plugins disable extra_layers", "not even imported from the next start on")),
    )
    actions = parser.add_subparsers(dest="plugins_action", metavar="ACTION", required=True)

    listing = actions.add_parser(
        "list", help="show installed plugins, their status and errors",
        description="List the installed plugins: name, version, source (a distribution's entry point "
        "or a drop-in file), status (active, error, failed, disabled, not loaded), what each "
        "contributes, and what went wrong with it.",
        epilog=examples(("plugins list", "third-party plugins"),
                        ("plugins list --all --json", "the built-ins too, as JSON with tracebacks")),
    )
    listing.add_argument("--all", action="store_true", help="include the built-in plugins")
    listing.add_argument("--json", action="store_true", help="print machine-readable JSON")
    listing.set_defaults(func=run_list)

    install = actions.add_parser(
        "install", help="install from PyPI, a wheel, an sdist, a project folder, or a .py file",
        description="Install a plugin: a .py file is copied into the drop-in plugin folder; "
        "anything else is installed by pip into the environment Backprop Studio runs in. pip "
        "may not change Backprop Studio or the packages it runs on: a plugin requiring other "
        "versions of them is refused and nothing is installed.",
        epilog=examples(("plugins install backprop-studio-extra-layers", "from PyPI"),
                        ("plugins install dist/my_plugin-0.1-py3-none-any.whl", "a wheel or sdist"),
                        ("plugins install --editable ./my-plugin", "a project folder, editable"),
                        ("plugins install my_plugin.py", "a drop-in file")),
    )
    install.add_argument("spec", metavar="SPEC", help="PyPI name, wheel, sdist, folder, or plugin .py file")
    install.add_argument("--upgrade", action="store_true", help="upgrade or replace an installed copy")
    install.add_argument("--editable", action="store_true", help="install a project folder in editable mode")
    install.add_argument("--no-deps", action="store_true", help="do not install the plugin's dependencies")
    install.add_argument("--no-build-isolation", action="store_true",
                         help="build with the packages already installed (offline installs)")
    install.set_defaults(func=run_install)

    uninstall = actions.add_parser(
        "uninstall", help="remove one plugin (it is never imported)",
        description="Remove one drop-in file or one distribution (pip uninstall); a name that could "
                    "mean more than one is refused, with what it could mean.",
        epilog=examples(("plugins uninstall extra_layers", "the plugin's drop-in file or distribution"),
                        ("plugins uninstall extra_layers --source folder", "only a drop-in file")),
    )
    uninstall.add_argument("name", metavar="NAME", help="plugin, distribution or drop-in file name")
    uninstall.add_argument("--source", choices=list(plugin_admin.SOURCE_CHOICES),
                           help="only a drop-in file (folder) or only a distribution (entry-point)")
    uninstall.set_defaults(func=run_uninstall)

    for action, enabled, description in (
        ("enable", True, "Load a disabled plugin again from the next start on."),
        ("disable", False, "Keep a plugin from loading from the next start on: it is not even "
                           "imported, so a plugin that crashes on import can be turned off."),
    ):
        sub = actions.add_parser(action, help=f"{action} a plugin from the next start on",
                                 description=f"{description} NAME is a plugin name or the name of "
                                 "a distribution, whose plugins all change.",
                                 epilog=examples((f"plugins {action} extra_layers", "one plugin"),
                                                 (f"plugins {action} backprop-studio-extra-layers",
                                                  "every plugin of a distribution")))
        sub.add_argument("name", metavar="NAME", help="plugin or distribution name")
        sub.set_defaults(func=run_set_enabled, enabled=enabled)


def run_list(args: argparse.Namespace) -> int:
    host = current_host()
    plugins = [info for info in host.plugins.values() if args.all or not info.builtin]
    if args.json:
        report = {"plugins": [info.to_json() for info in plugins], "warnings": host.warnings,
                  "plugin_folder": str(plugin_dir())}
        print(json.dumps(report, indent=2))
        return 0
    if plugins:
        _print_table(plugins)
    else:
        print("No third-party plugins installed ('plugins list --all' shows the built-ins).")
    print(f"Drop-in plugin folder: {plugin_dir()}")
    return 0  # the host's warnings went to stderr through its logger when it loaded


def _print_table(plugins: list[PluginInfo]) -> None:
    rows = [("NAME", "VERSION", "SOURCE", "STATUS", "CONTRIBUTES")]
    rows += [(info.name, info.version or "-", info.source, info.status, _contributions(info))
             for info in plugins]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    for index, row in enumerate(rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[4])
        if index == 0:
            continue
        info = plugins[index - 1]
        if info.reason:
            print(f"    ({info.reason})")
        for problem in info.problems:
            print(f"    ! {problem.message}")


def _contributions(info: PluginInfo) -> str:
    return "; ".join(f"{kind}: {', '.join(names)}" for kind, names in info.contributes.items()) or "-"


def run_install(args: argparse.Namespace) -> int:
    options = [flag for flag, wanted in (
        ("--upgrade", args.upgrade), ("--no-deps", args.no_deps),
        ("--no-build-isolation", args.no_build_isolation), ("--editable", args.editable),
    ) if wanted]
    added = plugin_admin.install(args.spec, options, replace=args.upgrade)
    disabled = set(plugin_admin.disabled_among(added))
    for candidate in added:
        origin = candidate.location if candidate.source == "folder" else " ".join(
            part for part in (candidate.distribution, candidate.version) if part)
        note = (f"; it is disabled in the settings (turn it on with: backprop-studio plugins enable "
                f"{candidate.name})") if candidate.name in disabled else ""
        print(f"installed plugin '{candidate.name}' ({origin}){note}")
    if not added:
        print(f"{args.spec}: no plugin was added (pip installed no new version of it and no new "
              f"'{ENTRY_POINT_GROUP}' entry point appeared; --upgrade replaces an installed one)")
    return 0


def run_uninstall(args: argparse.Namespace) -> int:
    removed = plugin_admin.uninstall(args.name, args.source)
    print(f"removed {', '.join(removed)}")
    return 0


def run_set_enabled(args: argparse.Namespace) -> int:
    changed = plugin_admin.set_enabled(args.name, args.enabled)
    state = "enabled" if args.enabled else "disabled"
    if changed:
        print(f"{state} {', '.join(changed)}; this takes effect the next time the app starts")
    else:
        print(f"plugin '{args.name}' is already {state}")
    return 0

