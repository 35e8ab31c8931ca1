// mlflow added to an environment that does not list it, as MLflow Projects do: a
// python_env or conda project is run in an environment MLflow makes with mlflow
// installed, whatever the file lists, so such projects never list it and their
// replays would die with `No module named 'mlflow'`. Pure: the caller says which
// file of the code imports mlflow (code-imports.ts reads them) and which version the
// original recorded, if any.

/**
 * The mlflow-skinny the project pins for its own replays (scenarios' locks, the
 * embedded server's lock): the client used when the run recorded no mlflow version.
 * A unit test keeps it equal to scenarios/basic/requirements.lock.
 */
export const PINNED_MLFLOW_SKINNY = "3.17.2";

/** The mlflow version the original recorded, and where (e.g. "logged model model/requirements.txt"). */
export interface RecordedMlflow {
  version: string;
  source: string;
}

export interface AddedRequirement {
  requirement: string;
  /** why it was added, and where its version came from */
  reason: string;
}

const PEP440ISH = /^[0-9][0-9A-Za-z.+!-]*$/;

/**
 * Whether Python source imports mlflow: `import mlflow`, `import mlflow.sklearn`,
 * `import os, mlflow`, `from mlflow import ...`, `from mlflow.models import ...`,
 * indented (inside a function or try) included. Comments are skipped; a string that
 * merely looks like an import line may count, which at worst adds a client that is
 * not used.
 */
export function importsMlflow(source: string): boolean {
  for (const raw of source.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, "");
    if (/^\s*from\s+mlflow(\.[\w.]+)?\s+import\b/.test(line)) return true;
    const imp = /^\s*import\s+(.+)$/.exec(line);
    if (imp && (imp[1] as string).split(/[,;]/).some((part) => /^\s*mlflow(\.[\w.]+)?(\s+as\s+\w+)?\s*$/.test(part)))
      return true;
  }
  return false;
}

/** Whether requirement lines already provide mlflow (the full package or the skinny client). */
export function listsMlflow(requirements: readonly string[]): boolean {
  return requirements.some((r) => /^(mlflow|mlflow-skinny)(?![A-Za-z0-9._-])/i.test(r.replace(/[_.]/g, "-").trim()));
}

/**
 * The mlflow-skinny requirement to add, or undefined when none is needed: the code
 * imports mlflow (`importedBy`, a file of it) and the requirements list neither mlflow
 * nor mlflow-skinny. The version is the one the original recorded when known (its
 * logged model's requirements pin mlflow==X), else the project's pin.
 */
export function mlflowToAdd(
  requirements: readonly string[],
  importedBy: string | undefined,
  recorded?: RecordedMlflow,
): AddedRequirement | undefined {
  if (importedBy === undefined || listsMlflow(requirements)) return undefined;
  const known = recorded !== undefined && PEP440ISH.test(recorded.version) ? recorded : undefined;
  const version = known?.version ?? PINNED_MLFLOW_SKINNY;
  const from =
    known !== undefined
      ? `the version the original recorded (${known.source})`
      : `the harness's pinned client (the run recorded no mlflow version${recorded !== undefined ? ` it could use: ${JSON.stringify(recorded.version)}` : ""})`;
  return {
    requirement: `mlflow-skinny==${version}`,
    reason:
      `${importedBy} imports mlflow and the environment does not list it (MLflow Projects adds it); ` +
      `added mlflow-skinny==${version}: ${from}`,
  };
}
