"""Import Keras 3 on the torch backend, the one place the course does so.

Keras 3 picks its backend once, at import, from the KERAS_BACKEND environment variable and
defaults to TensorFlow, which the course does not install. ``import_keras()`` sets the
variable to "torch" when it is unset, imports keras, and says clearly what to do when Keras
was already imported with another backend.
"""

from __future__ import annotations

import os
import sys

BACKEND = "torch"


def import_keras():
    """Return the ``keras`` module, running on the torch backend."""
    already_imported = "keras" in sys.modules
    os.environ.setdefault("KERAS_BACKEND", BACKEND)
    import keras

    backend = keras.backend.backend()
    if backend != BACKEND:
        how = (
            "Keras was imported before regcourse could choose its backend"
            if already_imported
            else f"KERAS_BACKEND is set to {os.environ['KERAS_BACKEND']!r}"
        )
        raise RuntimeError(
            f"The course runs Keras on the torch backend, but Keras is using {backend!r} ({how}). "
            "Restart the kernel and run `import os; os.environ['KERAS_BACKEND'] = 'torch'` "
            "before anything imports keras."
        )
    return keras
