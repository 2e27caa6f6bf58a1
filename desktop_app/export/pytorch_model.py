"""``model.py`` of a PyTorch export: the graph written out as a plain ``nn.Module``.

One attribute per node, named after it; ``forward`` runs the nodes in the engine's order, one line
each, on NCHW tensors. Built-in layers become PyTorch's own modules with the engine's conventions
as arguments (BatchNorm's momentum is 1 − ours; 'same' padding puts the odd pixel after, as
``F.pad`` is told); a plugin layer becomes the class its plugin gives through the
``register_pytorch_code`` hook. ``APP_WEIGHTS`` maps the engine's ``node/param`` arrays to the
module's state_dict.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ..engine.graph import Model
from ..engine.layer import Layer, Shape
from ..engine.layers._windows import plan_2d
from ..registry import Registry
from .pytorch_code import PluginCode, plugin_code

# Names a node's attribute cannot take: nn.Module's own attributes and the modules forward uses.
_TAKEN = {"self", "torch", "nn", "F", "super"}


@dataclass(frozen=True)
class TorchNode:
    """One node in PyTorch: the module built in ``__init__``, how ``forward`` pads its input
    (``F.pad`` arguments, or None), and its arrays: engine name -> (module's name, transposed)."""

    module: str
    pad: str | None = None
    weights: dict[str, tuple[str, bool]] = field(default_factory=dict)
    helpers: tuple[str, ...] = ()


@dataclass
class ModelSource:
    """The text of model.py, the state_dict keys of the engine's arrays, and the plugin code used."""

    text: str
    app_weights: dict[str, tuple[str, bool]]
    batchnorm_attributes: list[str]
    plugins: list[PluginCode]


def attribute_names(model: Model, reserved: set[str]) -> dict[str, str]:
    """Node name -> a Python identifier: the name itself where it is one and free, else a cleaned
    variant (``hidden-1`` -> ``hidden_1``), made unique."""
    names: dict[str, str] = {}
    for node in model.order:
        name = re.sub(r"\W", "_", node)
        if not name or name[0].isdigit():
            name = f"node_{name}"
        if keyword.iskeyword(name) or name in reserved or name in _TAKEN:
            name += "_"
        base, number = name, 2
        while name in names.values():
            name, number = f"{base}_{number}", number + 1
        names[node] = name
    return names


def class_name(project_name: str) -> str:
    """``Spiral MLP`` -> ``SpiralMLP``; ``Network`` when the name has no letters to use."""
    words = re.findall(r"[A-Za-z0-9]+", project_name)
    name = "".join(word[:1].upper() + word[1:] for word in words)
    return name if name and not name[0].isdigit() and name != "Network" else "ProjectNetwork"


def model_source(model: Model, registry: Registry, project_name: str, header: str,
                 reserved: set[str]) -> ModelSource:
    """model.py for ``model``; raises ExportError for a plugin layer without PyTorch code."""
    attributes = attribute_names(model, reserved)
    inits, calls, app_weights, helpers, plugins, batchnorms = [], [], {}, set(), [], []
    for name in model.order:
        if name in model.input_names:
            continue
        spec, layer, attribute = model.specs[name], model.layers[name], attributes[name]
        shapes = [model.shapes[source] for source in spec.inputs]
        convert = BUILTIN_NODES.get(spec.type)
        if convert is None:
            code = plugin_code(registry, "layers", spec.type, f"node '{name}'")
            plugins.append(code)
            node = TorchNode(f"{code.class_name}({_arguments(layer.config)}, input_shapes={shapes!r})",
                             weights={key: (key, False) for key in (*layer.params, *layer.state)})
        else:
            node = convert(layer, shapes)
        if spec.type == "BatchNorm":
            batchnorms.append(attribute)
        helpers.update(node.helpers)
        comment = f"  # node '{name}'" if attribute != name else ""
        inits.append(f"        self.{attribute} = {node.module}{comment}")
        arguments = ", ".join(attributes[source] for source in spec.inputs)
        if node.pad is not None:
            arguments = f"F.pad({arguments}, {node.pad})"
        calls.append(f"        {attribute} = self.{attribute}({arguments})")
        app_weights.update({f"{name}/{key}": (f"{attribute}.{torch_name}", transposed)
                            for key, (torch_name, transposed) in node.weights.items()})
    imports = ["import torch", "from torch import nn"]
    if any(".pad(" in call for call in calls):
        imports.insert(1, "import torch.nn.functional as F")
    if helpers:
        imports.append(f"from layers import {', '.join(sorted(helpers))}")
    classes = sorted({code.class_name for code in plugins})
    if classes:
        imports.append(f"from plugin_code import {', '.join(classes)}")
    network = class_name(project_name)
    input_name = attributes[model.input_names[0]]
    output_name = attributes[model.output_names[0]]
    table = "\n".join(f"    {key!r}: ({value!r}, {transposed}),"
                      for key, (value, transposed) in app_weights.items())
    text = f'''"""{header}"""

{chr(10).join(imports)}


class {network}(nn.Module):
    """The network of the project '{project_name}': samples of shape {model.input_shape} in,
    {model.output_shape} out (the batch first, images NCHW)."""

    def __init__(self) -> None:
        super().__init__()
{chr(10).join(inits)}

    def forward(self, {input_name}: torch.Tensor) -> torch.Tensor:
{chr(10).join(calls)}
        return {output_name}


Network = {network}  # the name train.py imports

# Backprop Studio's arrays ("node/param") -> (this module's state_dict key, transposed?): the app
# keeps Dense kernels as inputs x outputs, nn.Linear as outputs x inputs.
APP_WEIGHTS = {{
{table}
}}
'''
    return ModelSource(text, app_weights, batchnorms, plugins)


def _arguments(config: dict) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in config.items())


def _tuple(values) -> str:
    return repr(tuple(int(v) for v in values))


# --- the built-in layers ---------------------------------------------------------------------------
def _dense(layer: Layer, shapes: list[Shape]) -> TorchNode:
    bias = layer.config["use_bias"]
    weights = {"kernel": ("weight", True), **({"bias": ("bias", False)} if bias else {})}
    return TorchNode(f"nn.Linear({shapes[0][0]}, {layer.config['units']}{'' if bias else ', bias=False'})",
                     weights=weights)


def _padding(layer: Layer, shapes: list[Shape], kernel: str, strides: str) -> tuple[tuple, tuple, tuple]:
    """(kernel, strides, pads as F.pad takes them: left, right, top, bottom)."""
    geometry = plan_2d(layer, tuple(shapes), layer.config[kernel], layer.config[strides],
                       layer.config["padding"])
    (top, bottom), (left, right) = geometry.pads
    return geometry.kernel, geometry.strides, (left, right, top, bottom)


def _conv(layer: Layer, shapes: list[Shape]) -> TorchNode:
    config = layer.config
    kernel, strides, pads = _padding(layer, shapes, "kernel_size", "strides")
    arguments = [str(shapes[0][0]), str(config["filters"]), f"kernel_size={_tuple(kernel)}",
                 f"stride={_tuple(strides)}"]
    pad = None
    if any(pads) and pads[0] == pads[1] and pads[2] == pads[3]:
        arguments.append(f"padding={_tuple((pads[2], pads[0]))}")
    elif any(pads):
        pad = _tuple(pads)  # the odd pixel after: PyTorch's own padding is symmetric
    if not config["use_bias"]:
        arguments.append("bias=False")
    weights = {"kernel": ("weight", False), **({"bias": ("bias", False)} if config["use_bias"] else {})}
    return TorchNode(f"nn.Conv2d({', '.join(arguments)})", pad, weights)


def _max_pool(layer: Layer, shapes: list[Shape]) -> TorchNode:
    kernel, strides, pads = _padding(layer, shapes, "pool_size", "strides")
    pad = f"{_tuple(pads)}, value=float('-inf')" if any(pads) else None
    return TorchNode(f"nn.MaxPool2d({_tuple(kernel)}, stride={_tuple(strides)})", pad)


def _avg_pool(layer: Layer, shapes: list[Shape]) -> TorchNode:
    kernel, strides, pads = _padding(layer, shapes, "pool_size", "strides")
    if not any(pads):
        return TorchNode(f"nn.AvgPool2d({_tuple(kernel)}, stride={_tuple(strides)})")
    return TorchNode(f"PaddedAvgPool2d({_tuple(kernel)}, {_tuple(strides)}, {_tuple(pads)}, "
                     f"{_tuple(shapes[0][1:])})", helpers=("PaddedAvgPool2d",))


def _batchnorm(layer: Layer, shapes: list[Shape]) -> TorchNode:
    kind = "BatchNorm1d" if len(shapes[0]) == 1 else "BatchNorm2d"
    config = layer.config
    weights = {"gamma": ("weight", False), "beta": ("bias", False),
               "running_mean": ("running_mean", False), "running_var": ("running_var", False)}
    return TorchNode(f"nn.{kind}({shapes[0][0]}, eps={config['epsilon']!r}, "
                     f"momentum=1 - {config['momentum']!r})", weights=weights)


def _reshape(layer: Layer, shapes: list[Shape]) -> TorchNode:
    return TorchNode(f"Reshape({_tuple(layer.output_shape(*shapes))})", helpers=("Reshape",))


def _concatenate(layer: Layer, shapes: list[Shape]) -> TorchNode:
    return TorchNode(f"Concatenate(dim={1 + layer.config['axis'] % len(shapes[0])})",
                     helpers=("Concatenate",))


def _plain(text: str, helper: str | None = None) -> Callable[[Layer, list[Shape]], TorchNode]:
    """A module whose arguments are ``text`` formatted with the layer's config."""
    return lambda layer, shapes: TorchNode(text.format(**layer.config),
                                           helpers=(helper,) if helper else ())


BUILTIN_NODES: dict[str, Callable[[Layer, list[Shape]], TorchNode]] = {
    "Dense": _dense,
    "Conv2D": _conv,
    "MaxPool2D": _max_pool,
    "AvgPool2D": _avg_pool,
    "Flatten": _plain("nn.Flatten()"),
    "Reshape": _reshape,
    "Dropout": _plain("nn.Dropout(p={rate!r})"),
    "BatchNorm": _batchnorm,
    "ReLU": _plain("nn.ReLU()"),
    "LeakyReLU": _plain("nn.LeakyReLU(negative_slope={alpha!r})"),
    "ELU": _plain("nn.ELU(alpha={alpha!r})"),
    "GELU": _plain("nn.GELU(approximate='tanh')"),  # the engine's GELU is the tanh approximation
    "Sigmoid": _plain("nn.Sigmoid()"),
    "Tanh": _plain("nn.Tanh()"),
    "Softmax": _plain("nn.Softmax(dim=-1)"),
    "Add": _plain("Add()", "Add"),
    "Concatenate": _concatenate,
}
