"""Forms generated from parameter schemas: one editor per ParamSpec kind, no per-layer code."""
