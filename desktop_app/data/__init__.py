"""Datasets: shipped, generated and imported data, checked before training."""
