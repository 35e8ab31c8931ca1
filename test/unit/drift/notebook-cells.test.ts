import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  type CellOutput,
  MAX_DIFF_LINES,
  NotebookFormatError,
  cellOutputs,
  compareNotebooks,
  differingCells,
} from "../../../harness/drift/notebook-cells.js";

// The cell-diff core. The fixture is a real executed notebook: a replay of
// notebooks/basic by the harness's runner (nbclient + ipykernel), its injected cell
// included; the others are built from it.

const REPLAY = readFileSync(new URL("../../fixtures/notebooks/basic-replay.ipynb", import.meta.url), "utf8");

function edited(text: string, edit: (nb: { cells: Array<Record<string, unknown>> }) => void): string {
  const nb = JSON.parse(text);
  edit(nb);
  return JSON.stringify(nb);
}

describe("cellOutputs", () => {
  it("reads the code cells' outputs by id, the injected-parameters cell and markdown left out", () => {
    const cells = cellOutputs(REPLAY);
    expect(cells.map((c) => [c.index, c.id])).toEqual([
      [1, "basic-1"],
      [3, "basic-2"],
      [4, "basic-3"],
      [5, "basic-4"],
      [6, "basic-5"],
    ]);
    expect(cells[1]?.text).toBe("[stdout] samples 442 features 10\n");
    expect(cells[3]?.text).toMatch(/^\[execute_result\] \{'rmse': [0-9.]+, 'mae': [0-9.]+, 'r2': [0-9.]+\}\n$/);
  });

  it("leaves out MLflow's own 'View run' lines, hashes images, and shows errors by name and message", () => {
    const text = edited(REPLAY, (nb) => {
      const last = nb.cells[6] as { outputs: unknown[] };
      last.outputs = [
        {
          output_type: "stream",
          name: "stdout",
          text: ["🏃 View run x at: http://127.0.0.1:5000/#/experiments/1/runs/abc\n", "kept\n"],
        },
        { output_type: "display_data", data: { "image/png": "aGVsbG8=\n", "text/plain": ["<Figure>"] }, metadata: {} },
        { output_type: "error", ename: "ValueError", evalue: "bad <input>", traceback: ["..."] },
      ];
    });
    expect(cellOutputs(text).at(-1)?.text).toBe(
      [
        "[stdout] kept",
        // sha256("hello"): the decoded bytes, not the base64 text, are hashed
        "[image/png] sha256 2cf24dba5fb0a30e",
        "[display_data] <Figure>",
        "[error] ValueError: bad <input>",
        "",
      ].join("\n"),
    );
  });

  it("refuses what is not a notebook, with a message", () => {
    expect(() => cellOutputs("{")).toThrow(NotebookFormatError);
    expect(() => cellOutputs('{"cells": 3}')).toThrow(/not an nbformat 4 notebook/);
  });
});

describe("differingCells / compareNotebooks", () => {
  const replay = cellOutputs(REPLAY);
  // The original as a recorder without injection wrote it: no injected cell, so every index is one lower.
  const original: CellOutput[] = replay.map((c) => ({ ...c, index: c.index > 2 ? c.index - 1 : c.index }));

  it("matches cells by id, so an injected cell that shifts indexes is no difference", () => {
    expect(differingCells(original, replay, { reference: "original", replay: "replay 1" })).toEqual([]);
  });

  it("gives the differing cell as a unified diff, in notebook order, and a cell one side lacks", () => {
    const changed = replay
      .map((c) => (c.id === "basic-3" ? { ...c, text: "[stdout] first test targets [1.0]\n" } : c))
      .filter((c) => c.id !== "basic-5");
    const diffs = differingCells(original, changed, { reference: "original", replay: "replay 2" });
    expect(diffs.map((d) => [d.index, d.id])).toEqual([
      [4, "basic-3"],
      [5, "basic-5"],
    ]);
    expect(diffs[0]?.diff).toBe(
      [
        "--- original",
        "+++ replay 2",
        "@@ -1,1 +1,1 @@",
        `-${original[2]?.text.trimEnd()}`,
        "+[stdout] first test targets [1.0]",
      ].join("\n"),
    );
    expect(diffs[1]?.diff).toMatch(/^--- original\n\+\+\+ replay 2 \(cell missing\)\n/);
  });

  it("cuts a long diff and says so", () => {
    const long = Array.from({ length: 100 }, (_, i) => `[stdout] line ${i}`).join("\n");
    const [d] = differingCells([{ index: 0, id: "a", text: "" }], [{ index: 0, id: "a", text: long }], {
      reference: "original",
      replay: "replay 1",
    });
    expect(d?.truncated).toBe(true);
    expect(d?.diff.split("\n")).toHaveLength(MAX_DIFF_LINES);
  });

  it("without the original's outputs, compares the replays with the first that has a notebook", () => {
    const other = replay.map((c) => (c.id === "basic-4" ? { ...c, text: "[execute_result] 1\n" } : c));
    const failure = { cell: 5, cellId: "basic-4", ename: "NameError", evalue: "name 'x' is not defined" };
    const cmp = compareNotebooks(undefined, [{ problem: "no notebook" }, { cells: replay }, { cells: other, failure }]);
    expect(cmp.reference).toBe("replay 2");
    expect(cmp.originalRecorded).toBe(false);
    expect(cmp.cells).toBe(5);
    expect(cmp.replays.map((r) => [r.replay, r.differing.map((d) => d.id), r.missing])).toEqual([
      [1, [], "no notebook"],
      [3, ["basic-4"], undefined],
    ]);
    expect(cmp.replays[1]?.failure).toEqual(failure);
    expect(compareNotebooks(original, [{ cells: replay }]).replays).toEqual([{ replay: 1, differing: [] }]);
  });
});
