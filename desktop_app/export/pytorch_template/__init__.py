"""The fixed files of an exported PyTorch project (``desktop_app.export.pytorch_project``).

They are copied as they are beside the generated ``model.py`` and ``recipe.py``, and import those
by their top-level names: they run in the exported folder, never inside the app (which does not
import torch, and never imports these modules).
"""
