"""The error a command raises for bad input: printed as one line, exit code 2."""


class CliError(Exception):
    pass
