"""The window's experiments: every run kept as it ends, the Runs panel, sweeps and reports."""
