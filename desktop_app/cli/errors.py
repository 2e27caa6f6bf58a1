"""The error a command raises for bad input (printed as one line, exit code 2), and the exit
code of a command the user interrupted (130, as shells report a Ctrl-C)."""

from ..launcher import EXIT_INTERRUPTED

__all__ = ["EXIT_INTERRUPTED", "CliError", "require_at_least"]


class CliError(Exception):
    pass


def require_at_least(option: str, value: int | None, minimum: int) -> None:
    """Refuse a number option below ``minimum`` (None: not given, nothing to check)."""
    if value is not None and value < minimum:
        raise CliError(f"{option} must be at least {minimum}. Received: {value}")
