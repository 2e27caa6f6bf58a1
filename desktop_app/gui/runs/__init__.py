"""The window's kept runs: every run recorded as it ends, the Runs panel, sweeps and reports."""
