import type { ModelVersion, Run } from "./schemas.js";

// How MLflow 3 links things to logged models, as pure lookups: a model version names
// its logged model in model_id (or, from older clients, in a `models:/m-...` source);
// a run lists the models it produced in outputs.model_outputs.

const LOGGED_MODEL_SOURCE = /^models:\/(m-[0-9a-f]+)(?:\/|$)/;

/** The logged model a model version was registered from, if MLflow 3 recorded one. */
export function loggedModelIdOfVersion(version: ModelVersion): string | undefined {
  if (version.model_id) return version.model_id;
  const m = version.source ? LOGGED_MODEL_SOURCE.exec(version.source) : null;
  return m?.[1];
}

/** The logged models a run produced, in the order the server lists them, without repeats. */
export function loggedModelIdsOfRun(run: Run): string[] {
  return [...new Set(run.outputs.model_outputs.map((o) => o.model_id))];
}
