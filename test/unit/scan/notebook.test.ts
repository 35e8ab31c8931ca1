import { describe, expect, it } from "vitest";
import { cellOf, notebookSource } from "../../../harness/scan/notebook.js";

const nb = (...cells: Array<{ cell_type: string; source: string | string[] }>) => JSON.stringify({ cells });

describe("scan: a notebook's code cells as Python", () => {
  it("joins code cells in order, neutralising magics and keeping shell lines apart", () => {
    const out = notebookSource(
      nb(
        { cell_type: "markdown", source: "# title" },
        { cell_type: "code", source: ["%matplotlib inline\n", "import numpy as np\n", "if True:\n", "    !ls"] },
        { cell_type: "code", source: "%%bash\nwget http://x/y\n" },
        { cell_type: "code", source: "%timeit -n 10 np.random.rand(3)\nnp.random?" },
      ),
    );
    if (typeof out === "string") throw new Error(out);
    expect(out.source.split("\n")).toEqual([
      "pass",
      "import numpy as np",
      "if True:",
      "    pass",
      "",
      "",
      "",
      "np.random.rand(3)",
      "pass",
    ]);
    expect(out.shell).toEqual([
      { line: 4, text: "ls" },
      { line: 6, text: "wget http://x/y" },
    ]);
    expect(out.cells).toEqual([
      { cell: 2, firstLine: 1 },
      { cell: 3, firstLine: 5 },
      { cell: 4, firstLine: 8 },
    ]);
    expect(cellOf(out.cells, 8)).toEqual({ cell: 4, line: 1 });
    expect(cellOf(out.cells, 4)).toEqual({ cell: 2, line: 4 });
  });

  it("says why a file is not a notebook it can read", () => {
    expect(notebookSource('{"cells": [')).toMatch(/^not valid notebook JSON/);
    expect(notebookSource('{"worksheets": []}')).toMatch(/^nbformat 3/);
    expect(notebookSource('{"cells": 3}')).toMatch(/^not a notebook/);
  });
});
