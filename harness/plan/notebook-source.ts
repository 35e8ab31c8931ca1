import { NOTEBOOK_RUNNER_PATH } from "../exec/notebook-tooling.js";
import { Tags } from "../tracking/tags.js";
import type { ParameterSpec } from "./parameters.js";
import type { RecordedRun } from "./recorded-run.js";
import { scriptInCheckout } from "./recorded-script.js";
import { shlexQuote } from "./shlex.js";

// PURE: whether a run is a notebook's, which notebook, and the headless command that
// replays it. MLflow (3.17, measured) tags a run started in a Jupyter kernel with
// mlflow.source.type NOTEBOOK but the kernel's own launcher as its source name
// (sys.argv[0]: .../site-packages/ipykernel_launcher.py): it does not say which
// notebook ran; Databricks records the notebook's path. So the evidence is, in
// order: a scenario whose entry is a notebook; a
// recorded source that is a .ipynb in the code; a kernel source and the code
// folder's only notebook. The plan note says which one was used.

export type NotebookEvidence = "scenario" | "source-notebook" | "kernel-source";

export interface NotebookEntry {
  /** the notebook's path in the code folder */
  path: string;
  evidence: NotebookEvidence;
  /** one sentence for the plan's notes */
  note: string;
}

/** A recorded source that is a Jupyter kernel's launcher (or `python -m ipykernel`), not the user's script. */
export function kernelSource(run: RecordedRun): string | undefined {
  const name = (run.tags[Tags.sourceName] ?? "").trim();
  if (name === "") return undefined;
  const base = name.split(/[\\/]+/).pop() ?? "";
  if (base === "ipykernel_launcher.py" || /(^|[\\/])ipykernel[\\/]__main__\.py$/.test(name)) return name;
  return undefined;
}

/**
 * The notebook a run replays, from the strongest evidence there is; undefined when
 * nothing says it is a notebook run. `refusal` explains a notebook run whose
 * notebook cannot be told (several notebooks in the code, none at the recorded path).
 */
export function notebookEntry(
  run: RecordedRun,
  input: { scenarioNotebook?: string; files: readonly string[] },
): NotebookEntry | { refusal: string } | undefined {
  const kernel = kernelSource(run);
  const kernelText =
    kernel !== undefined ? `; the run was recorded from a Jupyter kernel (${Tags.sourceName} ${kernel})` : "";
  if (input.scenarioNotebook !== undefined) {
    return {
      path: input.scenarioNotebook,
      evidence: "scenario",
      note: `notebook run: the scenario's entry is the notebook ${input.scenarioNotebook}${kernelText}`,
    };
  }
  const name = (run.tags[Tags.sourceName] ?? "").trim();
  if (name.toLowerCase().endsWith(".ipynb")) {
    const notebooks = input.files.filter(isNotebook);
    const found = scriptInCheckout(name, notebooks);
    if (found === undefined)
      return { refusal: `its recorded notebook ${JSON.stringify(name)} (${Tags.sourceName}) is not in the code` };
    if ("ambiguous" in found)
      return {
        refusal: `its recorded notebook ${JSON.stringify(name)} could be any of ${found.ambiguous.join(", ")} in the code`,
      };
    const type = run.tags[Tags.sourceType];
    return {
      path: found.path,
      evidence: "source-notebook",
      note: `notebook run: the recorded source ${JSON.stringify(name)}${type !== undefined ? ` (${type})` : ""} is the notebook ${found.path}`,
    };
  }
  if (kernel !== undefined) {
    const notebooks = input.files.filter(isNotebook).sort();
    const [only] = notebooks;
    if (only === undefined || notebooks.length > 1)
      return {
        refusal:
          `it was recorded from a Jupyter kernel (${Tags.sourceName} ${kernel}), which does not say which notebook ran, ` +
          (only === undefined ? "and the code has no .ipynb" : `and the code has several: ${notebooks.join(", ")}`) +
          `; give a scenario folder whose scenario.yaml names the notebook (--scenario DIR)`,
      };
    return {
      path: only,
      evidence: "kernel-source",
      note: `notebook run: recorded from a Jupyter kernel (${Tags.sourceName} ${kernel}); the code's only notebook is ${only}`,
    };
  }
  return undefined;
}

function isNotebook(file: string): boolean {
  return file.toLowerCase().endsWith(".ipynb") && !file.split("/").includes(".ipynb_checkpoints");
}

export class NotebookParamError extends Error {}

/**
 * The injected-parameters cell's source: one assignment per bound param, the logged
 * string handed to Python's own float()/int() as argparse would for a script, so the
 * value is parsed exactly as logged, never re-typed here; strings as string literals.
 */
export function injectedParameters(
  params: Readonly<Record<string, string>>,
  declared: Readonly<Record<string, ParameterSpec>>,
): string {
  const lines = ["# Parameters injected by repro-audit: the values the run logged"];
  for (const [name, value] of Object.entries(params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || PYTHON_KEYWORDS.has(name))
      throw new NotebookParamError(`param ${JSON.stringify(name)} is not a Python name; it cannot be injected`);
    const literal = pythonString(value);
    const type = declared[name]?.type ?? "string";
    lines.push(
      type === "float"
        ? `${name} = float(${literal})`
        : type === "int"
          ? `${name} = int(${literal})`
          : `${name} = ${literal}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** A Python string literal: JSON's escapes (\" \\ \n \uXXXX) are all Python's too. */
function pythonString(value: string): string {
  return JSON.stringify(value);
}

/** The headless command: the runner in the image, the notebook, the injected cell, the per-cell timeout. */
export function notebookCommand(path: string, inject: string, cellTimeoutSeconds: number): string {
  const slash = path.lastIndexOf("/");
  const cd = slash < 0 ? "" : `cd ${shlexQuote(path.slice(0, slash))} && `;
  const file = slash < 0 ? path : path.slice(slash + 1);
  return (
    `${cd}python ${NOTEBOOK_RUNNER_PATH} ${shlexQuote(file)} --output "$REPRO_OUTPUT_DIR" ` +
    `--cell-timeout ${cellTimeoutSeconds} --inject ${shlexQuote(inject)}`
  );
}

const PYTHON_KEYWORDS = new Set(
  "False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield".split(
    " ",
  ),
);
