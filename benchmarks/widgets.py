"""Median latency of each explorer's ``.update``, measured inside a real Jupyter kernel with the
inline backend, against the naive update: clear the figure, plot everything again, and show it
again through the inline backend.

Every control of every explorer is timed: each update moves that one control by one step
from the explorer's default state (the geometry explorer's λ slider in "set by λ" mode and its
L1 share with the elastic net, where they act); the script fails when a control has no row.
The naive version of an explorer clears its figure, plots everything again and displays it in
the Output widget, as a simple explorer would; it is timed for one control of each.

    python benchmarks/widgets.py [--updates 25]
"""

from __future__ import annotations

import argparse
import json
import textwrap

from jupyter_client.manager import start_new_kernel

KERNEL_CODE = textwrap.dedent('''
    import json, statistics, time
    import matplotlib
    matplotlib.use("module://matplotlib_inline.backend_inline")
    import matplotlib.pyplot as plt
    from IPython.display import display, clear_output
    from regcourse.widgets import geometry_explorer, lp_explorer, overfitting_explorer, path_explorer
    from regcourse.plots import constraint_geometry, polynomial_fits, coefficient_path
    from regcourse.data import make_polynomial, load_diabetes
    from regcourse import linear

    N = {updates}

    def median_ms(step, n=N):
        """(median wall ms, median CPU ms of this process, slowest wall ms) over n moves."""
        step(-1)  # settle: the first move may build what later moves reuse
        wall, cpu = [], []
        for i in range(n):
            started, started_cpu = time.perf_counter(), time.process_time()
            step(i)
            wall.append(1000 * (time.perf_counter() - started))
            cpu.append(1000 * (time.process_time() - started_cpu))
        return statistics.median(wall), statistics.median(cpu), max(wall)

    def cycle(values):
        return lambda i: values[i % len(values)]

    import ipywidgets
    naive_output = ipywidgets.Output()  # where a simple explorer would display its figure

    results = {{}}

    # Every control of every explorer, each moved by one step at a time from the default state
    # (the λ slider in "set by λ" mode, the L1 share with the elastic net: there they act).
    def geometry_moves():
        return [
            ("kind", {{}}, cycle(["l2", "elastic_net", "l1"])),
            ("mode", {{}}, cycle(["lam", "budget"])),
            ("radius", {{}}, lambda i: 0.3 + 0.05 * (i % 40)),
            ("lam", {{"mode": "lam"}}, cycle(geometry_explorer().controls["lam"].values[10:])),  # its round values
            ("l1_ratio", {{"kind": "elastic_net"}}, lambda i: 0.05 + 0.05 * (i % 18)),
            ("centre_x", {{}}, lambda i: -1.9 + 0.1 * (i % 38)),
            ("centre_y", {{}}, lambda i: -1.9 + 0.1 * (i % 38)),
            ("correlation", {{}}, lambda i: -0.85 + 0.05 * (i % 34)),
        ]

    for name, setup, value in geometry_moves():
        geo = geometry_explorer()
        if setup:
            geo.update(**setup)
        assert name in geo.controls, name
        results[f"geometry: {{name}}"] = median_ms(lambda i: geo.update(**{{name: value(i)}}))
    fig = plt.figure(figsize=(5.6, 5.4))
    def naive_geometry(i):
        fig.clf()
        constraint_geometry("l1", radius=0.3 + 0.05 * (i % 40), ax=fig.add_subplot())
        with naive_output:
            clear_output(wait=True)
            display(fig)
    results["geometry: radius, naive"] = median_ms(naive_geometry)

    over = overfitting_explorer()
    results["overfitting: degree"] = median_ms(lambda i: over.update(degree=1 + i % 15))
    results["overfitting: lam"] = median_ms(lambda i: over.update(lam=10.0 ** (-1 - (i % 7))))
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
    results["path: step"] = median_ms(lambda i: pe.update(step=(3 * i) % 100))
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
    results["path: step, naive"] = median_ms(naive_path)

    lp = lp_explorer()
    results["lp: p"] = median_ms(lambda i: lp.update(p=lp.controls["p"].values[i % len(lp.controls["p"].values)]))
    results["lp: budget"] = median_ms(lambda i: lp.update(budget=0.1 + 0.05 * (i % 38)))

    timed = {{name.split(": ")[0]: [] for name in results}}
    for name in results:
        if not name.endswith("naive"):
            timed[name.split(": ")[0]].append(name.split(": ")[1])
    every = {{"geometry": sorted(geo.controls), "overfitting": sorted(over.controls), "path": sorted(pe.controls),
             "lp": sorted(lp.controls)}}
    untimed = {{k: sorted(set(every[k]) - set(timed[k])) for k in every if set(every[k]) - set(timed[k])}}
    print("RESULTS " + json.dumps(dict(results=results, untimed=untimed)))
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
    report = json.loads(output.split("RESULTS ", 1)[1].splitlines()[0])
    results = report["results"]
    print(f"{'explorer: control':<26} {'median ms':>9} {'CPU ms':>7} {'slowest':>8} {'naive ms':>9} {'speed-up':>9}")
    worst = 0.0
    for name, (wall, cpu, slowest) in results.items():
        if name.endswith("naive"):
            continue
        worst = max(worst, wall)
        baseline = results.get(f"{name}, naive")
        naive = f"{baseline[0]:>9.1f} {baseline[0] / wall:>8.1f}×" if baseline else f"{'':>9} {'':>9}"
        print(f"{name:<26} {wall:>9.1f} {cpu:>7.1f} {slowest:>8.1f} {naive}")
    print(
        f"\nslowest median {worst:.1f} ms (target ≤ 50 ms, aim 20; speed-up target ≥ 3×). CPU ms is the kernel's "
        "own time, which other load on the machine does not inflate; 'slowest' includes the first move to a "
        "new kind, which draws that kind's background once."
    )
    if report["untimed"]:  # a new control must get a row above
        print(f"NOT TIMED: {report['untimed']}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
