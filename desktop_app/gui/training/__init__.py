"""Training in the window: a worker thread drives the engine's Trainer, throttled signals feed live
plots, and the trained model is saved, exported and tried on samples from here (``ui.TrainingUI``)."""
