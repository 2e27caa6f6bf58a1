"""``python -m desktop_app`` runs the same command line as ``backprop-studio``."""

import sys

from .cli import main

sys.exit(main())
