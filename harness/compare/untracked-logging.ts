// PURE: whether compare's untracked arm logged to MLflow anyway. With no MLFLOW_TRACKING_URI,
// MLflow writes to its defaults in the working directory: ./mlruns (2.x, early 3.x) or a
// sqlite file (later 3.x), artifacts under ./mlartifacts. Seen among the files an execution
// left in its copy of the code, they mean its untracked form does not turn tracking off, and
// the execution is not an untracked one.

const MLFLOW_DEFAULT_STORE = /^(mlruns|mlartifacts)\/|^(mlflow|mlruns)\.db$/;

/** The failure to report, or undefined when the execution left none of MLflow's default stores. */
export function untrackedLoggedAnyway(outputs: readonly { path: string; change: string }[]): string | undefined {
  const logged = outputs.filter((o) => o.change !== "deleted" && MLFLOW_DEFAULT_STORE.test(o.path)).map((o) => o.path);
  if (logged.length === 0) return undefined;
  const shown = `${logged.slice(0, 3).join(", ")}${logged.length > 3 ? ", ..." : ""}`;
  return `the untracked arm logged to MLflow anyway (${shown} in its copy of the code): its untracked form does not turn tracking off`;
}
