"""Shared test set-up.

Keras must run on the torch backend, and the backend is fixed when keras is first imported,
so the variable is set here, before any test module can import keras.
"""

import os

os.environ["KERAS_BACKEND"] = "torch"
os.environ.setdefault("MPLBACKEND", "Agg")
