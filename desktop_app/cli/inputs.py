"""The files a command reads, and the check that none of its outputs would replace one.

Without it ``predict ... --weights run/weights.npz -o run/weights.npz`` swaps the trained weights
for predictions. Paths are compared resolved (symlinks followed) and, where both exist, as the
same file on disk (hard links), before the command does any work.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..project import sidecar_path
from ..project.reads import project_inputs, same_file
from ..project.run_outputs import MANIFEST, RUN_FILES, read_manifest
from .errors import CliError

__all__ = ["project_inputs", "refuse_overwrite", "refuse_run_files", "weights_inputs"]


def weights_inputs(weights: Path) -> dict[str, Path]:
    """Trained weights and the preprocessing record read beside them."""
    return {"the weights file": weights, "the preprocessing record of the weights": sidecar_path(weights)}


def refuse_overwrite(outputs: Mapping[Path, str], inputs: Mapping[str, Path],
                     remedy: str = "write the output to another file") -> None:
    """Raise CliError naming the first output (path -> how the user chose it, e.g. ``-o/--output
    out.csv``) that is an input."""
    for output, chosen in outputs.items():
        for what, source in inputs.items():
            if same_file(output, source):
                raise CliError(f"{chosen}: that is {what} ({source}), which this command reads; {remedy}")


def refuse_run_files(output: Path, option: str = "-o/--output") -> None:
    """Refuse an output that is one of a training run's files (beside its ``run.json``): replacing
    one would break the set ``train`` writes as a unit."""
    folder = output.parent
    if output.name in RUN_FILES and read_manifest(folder) is not None:
        raise CliError(f"{option} {output}: that is one of the files of the training run in {folder} "
                       f"(see its {MANIFEST}), which only 'train' replaces, as a set; write the output "
                       "to another file")
