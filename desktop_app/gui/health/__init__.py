"""The Health tab: per-layer health while training, hints with their Why, and Apply (one undo step)."""
