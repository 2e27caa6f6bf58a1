"""The error a command raises for bad input (printed as one line, exit code 2), and the exit
code of a command the user interrupted (130, as shells report a Ctrl-C)."""

from ..launcher import EXIT_INTERRUPTED

__all__ = ["EXIT_INTERRUPTED", "CliError"]


class CliError(Exception):
    pass
