"""Median latency of each explorer's ``.update``, measured inside a real Jupyter kernel with the
inline backend, against the naive update: clear the figure, plot everything again, and show it
again through the inline backend.

Each update moves one slider by one step (the budget, the degree and λ, the path's λ). The
naive version of the geometry explorer redraws ``constraint_geometry`` from scratch on a
cleared figure and displays it in the Output widget, as a simple explorer would.

    python benchmarks/widgets.py [--updates 25]
"""

from __future__ import annotations

import argparse
import json
import textwrap

from jupyter_client.manager import start_new_kernel

KERNEL_CODE = textwrap.dedent('''
    import json, statistics, time, io, contextlib
    import matplotlib
    matplotlib.use("module://matplotlib_inline.backend_inline")
    import matplotlib.pyplot as plt
    from IPython.display import display, clear_output
    from regcourse.widgets import geometry_explorer, overfitting_explorer, path_explorer
    from regcourse.plots import constraint_geometry, polynomial_fits, coefficient_path
    from regcourse.data import make_polynomial, load_diabetes
    from regcourse import linear

    N = {updates}

    def median_ms(step, n=N):
        times = []
        for i in range(n):
            started = time.perf_counter()
            step(i)
            times.append(1000 * (time.perf_counter() - started))
        return statistics.median(times)

    import ipywidgets
    naive_output = ipywidgets.Output()  # where a simple explorer would display its figure

    results = {{}}
    geo = geometry_explorer()
    results["geometry: budget"] = median_ms(lambda i: geo.update(radius=0.3 + 0.05 * (i % 40)))
    fig = plt.figure(figsize=(5.6, 5.4))
    def naive_geometry(i):
        fig.clf()
        constraint_geometry("l1", radius=0.3 + 0.05 * (i % 40), ax=fig.add_subplot())
        with naive_output:
            clear_output(wait=True)
            display(fig)
    results["geometry: budget, naive"] = median_ms(naive_geometry)

    over = overfitting_explorer()
    results["overfitting: degree"] = median_ms(lambda i: over.update(degree=1 + i % 15))
    results["overfitting: λ"] = median_ms(lambda i: over.update(lam=10.0 ** (-1 - (i % 7))))
    data = make_polynomial()
    fig2 = plt.figure(figsize=(10, 4))
    def naive_overfitting(i):
        fig2.clf()
        polynomial_fits(data.x, data.y, degrees=(1 + i % 15,), ax=fig2.add_subplot(1, 2, 1))
        fig2.add_subplot(1, 2, 2).plot(range(1, 16), [1.0] * 15)
        with naive_output:
            clear_output(wait=True)
            display(fig2)
    results["overfitting: degree, naive"] = median_ms(naive_overfitting)

    pe = path_explorer()
    results["path: λ"] = median_ms(lambda i: pe.update(step=(3 * i) % 100))
    d = load_diabetes()
    fig3 = plt.figure(figsize=(11, 4.2))
    def naive_path(i):
        fig3.clf()
        result = linear.path(d.X, d.y, "l1")
        coefficient_path(result, d.feature_names, mark_lam=result.lams[(3 * i) % 100], ax=fig3.add_subplot(1, 2, 1))
        fig3.add_subplot(1, 2, 2).barh(d.feature_names, result.coefs[(3 * i) % 100])
        with naive_output:
            clear_output(wait=True)
            display(fig3)
    results["path: λ, naive"] = median_ms(naive_path)
    print("RESULTS " + json.dumps(results))
''')


def run_in_kernel(code: str, timeout: float = 600.0) -> str:
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        client.execute(code)
        out = []
        while True:
            message = client.get_iopub_msg(timeout=timeout)
            kind, content = message["msg_type"], message["content"]
            if kind == "stream":
                out.append(content["text"])
            elif kind == "error":
                raise RuntimeError("\n".join(content["traceback"]))
            elif kind == "status" and content["execution_state"] == "idle" and out:
                break
        return "".join(out)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=25)
    args = parser.parse_args()
    output = run_in_kernel(KERNEL_CODE.format(updates=args.updates))
    results = json.loads(output.split("RESULTS ", 1)[1].splitlines()[0])
    print(f"{'explorer update':<30} {'median (ms)':>11} {'naive (ms)':>11} {'speed-up':>9}")
    naive = {"geometry: budget": "geometry: budget, naive", "overfitting: degree": "overfitting: degree, naive",
             "path: λ": "path: λ, naive"}
    worst = 0.0
    for name, value in results.items():
        if name.endswith("naive"):
            continue
        worst = max(worst, value)
        if name in naive:
            baseline = results[naive[name]]
            print(f"{name:<30} {value:>11.1f} {baseline:>11.1f} {baseline / value:>8.1f}×")
        else:
            print(f"{name:<30} {value:>11.1f} {'':>11} {'':>9}")
    print(f"\nslowest median {worst:.1f} ms (target ≤ 50 ms; speed-up target ≥ 3×)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
