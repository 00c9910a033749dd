"""`import regcourse` stays light: no torch, keras, ipywidgets or matplotlib at import time.

The 0.3 s budget itself is measured by benchmarks/import_time.py, not by a timed test.
"""

import json
import subprocess
import sys

HEAVY = ["torch", "keras", "ipywidgets", "matplotlib", "sklearn", "tqdm"]


def test_import_regcourse_loads_no_heavy_library():
    code = f"import sys, json, regcourse; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_the_penalties_are_available_from_the_top_level():
    import regcourse

    for name in ("L1", "L2", "ElasticNet", "soft_threshold", "project_l1_ball", "project_l2_ball"):
        assert hasattr(regcourse, name), name
