"""Runs a Jupyter notebook headless, the papermill way, for a replay (or a recording).

Installed into notebook replay images at /opt/repro/notebook_runner.py with nbclient
and ipykernel (harness/exec/notebook-tooling.ts); the recording helper in the tests
runs the same file on the host, so an original and its replays are executed alike.

  python notebook_runner.py NOTEBOOK --output DIR [--inject SOURCE] [--cell-timeout S]

- SOURCE (Python assignments the harness rendered from the logged params) becomes a
  new code cell tagged `injected-parameters` right after the cell tagged `parameters`
  (at the top when there is none), as papermill injects.
- Every cell runs with the per-cell timeout; the kernel runs in the working directory.
- DIR gets notebook.ipynb (the executed notebook, also when a cell failed) and
  notebook-run.json: the injection's place and, on failure, which cell failed with the
  error's name and message. Exit 0 when every cell ran, 1 when one failed.
Only the standard library, nbformat and nbclient are imported here.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

SUMMARY_VERSION = 1


def inject(nb, source: str) -> int | None:
    """Inserts the injected-parameters cell; returns the index of the `parameters` cell (None: none)."""
    at = None
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            at = i
            break
    new = nbformat.v4.new_code_cell(source=source, metadata={"tags": ["injected-parameters"]})
    nb.cells.insert(0 if at is None else at + 1, new)
    return at


def failed_cell(nb) -> int | None:
    """The first code cell with an error output (nbclient stops after it)."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return i
    return None


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description="Run a notebook headless (papermill-style parameters).")
    p.add_argument("notebook")
    p.add_argument("--output", required=True, help="folder for notebook.ipynb and notebook-run.json")
    p.add_argument("--inject", default=None, help="Python source of the injected-parameters cell")
    p.add_argument("--cell-timeout", type=float, default=600.0)
    args = p.parse_args(argv)

    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    nb = nbformat.read(args.notebook, as_version=4)
    summary: dict = {"version": SUMMARY_VERSION, "notebook": args.notebook, "cellTimeoutSeconds": args.cell_timeout}
    if args.inject is not None:
        at = inject(nb, args.inject)
        summary["parametersCell"] = at
        summary["injectedCell"] = 0 if at is None else at + 1

    client = NotebookClient(
        nb,
        timeout=args.cell_timeout,
        kernel_name="python3",
        resources={"metadata": {"path": os.getcwd()}},
    )
    rc = 0
    try:
        client.execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as err:
        rc = 1
        index = failed_cell(nb)
        if isinstance(err, CellExecutionError):
            ename, evalue = err.ename, err.evalue
        else:
            ename, evalue = type(err).__name__, str(err).strip().splitlines()[0] if str(err).strip() else ""
        if index is None:
            # A timeout or a dead kernel leaves no error output: the cell that was running.
            index = next(
                (i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.get("execution_count") is None),
                None,
            )
        cell = nb.cells[index] if index is not None else None
        summary["failure"] = {
            "cell": index,
            "cellId": cell.get("id") if cell is not None else None,
            "ename": ename,
            "evalue": evalue,
        }
        print(f"notebook cell {index} failed: {ename}: {evalue}", file=sys.stderr)
    finally:
        nbformat.write(nb, str(out / "notebook.ipynb"))
        (out / "notebook-run.json").write_text(json.dumps(summary, indent=2) + "\n")
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
