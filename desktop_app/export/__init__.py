"""Export of trained models: ONNX for inference engines, .npz and safetensors for the weights.

``BUILTIN_EXPORTERS`` and ``BUILTIN_ONNX_MAPPINGS`` are registered as built-in plugins through the
``register_exporters`` and ``register_onnx_mappings`` hooks, like any plugin's. A PyTorch project is
no single file: ``pytorch_model`` and ``pytorch_recipe`` write its generated modules beside the
fixed ones of ``pytorch_template``, and ``desktop_app.project.pytorch_export`` assembles it.
"""

from __future__ import annotations

from ..fileio import load_safetensors_weights, load_weights
from .base import Exporter
from .errors import ExportError
from .onnx_builder import OPSET, OnnxContext
from .onnx_deploy import Deployment, loss_activation
from .onnx_export import OnnxExporter, build_onnx_model
from .onnx_mappings import BUILTIN_ONNX_MAPPINGS
from .weights import NpzExporter, SafetensorsExporter

BUILTIN_EXPORTERS: tuple[type[Exporter], ...] = (OnnxExporter, NpzExporter, SafetensorsExporter)

__all__ = [
    "BUILTIN_EXPORTERS",
    "BUILTIN_ONNX_MAPPINGS",
    "Deployment",
    "OPSET",
    "ExportError",
    "Exporter",
    "NpzExporter",
    "OnnxContext",
    "OnnxExporter",
    "SafetensorsExporter",
    "build_onnx_model",
    "load_safetensors_weights",
    "load_weights",
    "loss_activation",
]
