"""Extra layers for Backprop Studio: Swish and LayerNorm (the plugin's hooks are in ``plugin``)."""

from .layer_norm import LayerNorm
from .swish import Swish

__all__ = ["LayerNorm", "Swish"]
