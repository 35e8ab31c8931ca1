import { readFileSync } from "node:fs";
import {
  GetLoggedModelResponse,
  GetRegisteredModelResponse,
  GetRunResponse,
  ListArtifactsResponse,
  SearchModelVersionsResponse,
  type Run,
} from "../../../harness/tracking/schemas.js";
import { type MlflowSubjectParts, subjectFromMlflow } from "../../../harness/trace/mlflow-subject.js";
import type { TraceSubject } from "../../../harness/trace/subject.js";

// Subjects built from answers recorded from a real server (see test/fixtures/trace/README.md),
// converted the way the MLflow reader converts them.

const dir = new URL("../../fixtures/trace/", import.meta.url);
const load = (name: string): unknown => JSON.parse(readFileSync(new URL(name, dir), "utf8"));

export const recordedRun = (name: "full" | "raw" | "registered"): Run =>
  GetRunResponse.parse(load(`run-${name}.json`)).run;

const files = (name: string): string[] =>
  ListArtifactsResponse.parse(load(name))
    .files.filter((f) => !f.is_dir)
    .map((f) => f.path);

// The MLflow run each subject's run was converted from, so withRun can change the run as
// MLflow would have answered it and convert again. Keyed by the converted run, which
// survives `{ ...subject, runArtifacts }` copies.
const wireRunOf = new WeakMap<TraceSubject["run"], Run>();

function subject(parts: MlflowSubjectParts): TraceSubject {
  const s = subjectFromMlflow(parts);
  wireRunOf.set(s.run, parts.run);
  return s;
}

export function fullSubject(): TraceSubject {
  return subject({
    run: recordedRun("full"),
    runArtifacts: {
      files: [...files("artifacts-full-root.json"), ...files("artifacts-full-repro.json")],
      truncated: false,
    },
    loggedModels: [
      {
        model: GetLoggedModelResponse.parse(load("logged-model-full.json")).model,
        files: files("logged-model-full-files.json"),
      },
    ],
    modelVersions: [],
  });
}

export function rawSubject(): TraceSubject {
  return subject({
    run: recordedRun("raw"),
    runArtifacts: { files: files("artifacts-raw-root.json"), truncated: false },
    loggedModels: [],
    modelVersions: [],
  });
}

export function registeredSubject(): TraceSubject {
  const rm = GetRegisteredModelResponse.parse(load("registered-model.json")).registered_model;
  const versions = SearchModelVersionsResponse.parse(load("model-versions-registered.json")).model_versions.map(
    (v) => ({
      ...v,
      aliases: rm.aliases.filter((a) => a.version === v.version).map((a) => a.alias),
    }),
  );
  return subject({
    run: recordedRun("registered"),
    runArtifacts: { files: files("artifacts-registered-root.json"), truncated: false },
    loggedModels: [
      {
        model: GetLoggedModelResponse.parse(load("logged-model-registered.json")).model,
        files: files("logged-model-registered-files.json"),
      },
    ],
    modelVersions: versions,
  });
}

/** A copy of a subject whose MLflow run had tags/params/metrics/inputs replaced or added. */
export function withRun(s: TraceSubject, change: (run: Run) => void): TraceSubject {
  const wire = wireRunOf.get(s.run);
  if (!wire) throw new Error("withRun: the subject's run was not built by recorded.ts");
  const run = structuredClone(wire);
  change(run);
  const converted = subject({ run, runArtifacts: s.runArtifacts, loggedModels: [], modelVersions: [] });
  return { ...s, run: converted.run, status: converted.status, datasets: converted.datasets };
}
