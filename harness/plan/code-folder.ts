import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { loadEnvSpec } from "../exec/env-spec.js";
import { type MlProject, parseMlProject } from "./mlproject.js";
import type { PlanEnvironmentInput } from "./plan.js";
import { type ScenarioFile, parseScenario } from "./scenario.js";
import { FileFormatError } from "./zod-message.js";

// Reads what planning needs from a code folder (a checkout at the run's commit, or
// a scenario folder): the MLproject, the scenario file, and the environment file
// the chosen command source points to. The parsing itself is pure (mlproject.ts,
// scenario.ts, exec/env-spec.ts).

export interface CodeFolder {
  dir: string;
  project?: MlProject;
  projectFile?: string;
  scenario?: ScenarioFile;
  scenarioFile?: string;
}

export const SCENARIO_FILE_NAMES = ["scenario.yaml", "scenario.yml"];

export function readCodeFolder(dir: string): CodeFolder {
  const abs = resolve(dir);
  if (!existsSync(abs)) throw new FileFormatError(`${dir}: no such folder`);
  const out: CodeFolder = { dir: abs };
  // MLflow finds the MLproject file case-insensitively (_find_mlproject).
  const projectName = readdirSync(abs).find((f) => f.toLowerCase() === "mlproject");
  if (projectName) {
    out.projectFile = join(abs, projectName);
    out.project = parseMlProject(readFileSync(out.projectFile, "utf8"), out.projectFile);
  }
  const scenarioName = SCENARIO_FILE_NAMES.find((f) => existsSync(join(abs, f)));
  if (scenarioName) {
    out.scenarioFile = join(abs, scenarioName);
    out.scenario = parseScenario(readFileSync(out.scenarioFile, "utf8"), out.scenarioFile);
  }
  return out;
}

/** The environment files looked for in a folder without an MLproject that names one, in this order. */
export const ENVIRONMENT_FILE_NAMES = ["python_env.yaml", "conda.yaml", "requirements.txt"] as const;

/**
 * The environment of the chosen command source, with requirement files read.
 * `script`: the recorded script's (or notebook's) path in the folder (source "script", "notebook"): its own
 * folder is looked in first, then the folder's root (the checkout).
 */
export function resolveEnvironment(
  folder: CodeFolder,
  source: "mlproject" | "scenario" | "tag" | "script" | "notebook",
  script?: string,
): PlanEnvironmentInput {
  // A notebook scenario's lock is the scenario's; a notebook found otherwise is looked up as a script is.
  if ((source === "scenario" || source === "notebook") && folder.scenario) {
    const file = inside(folder.dir, folder.scenario.environment.lock, folder.scenarioFile ?? folder.dir);
    const spec = loadEnvSpec(file);
    const python = folder.scenario.environment.python ?? spec.python;
    return {
      source: "scenario",
      file: relative(folder.dir, file),
      requirements: spec.requirements,
      ignored: spec.ignored,
      ...(python !== undefined ? { python } : {}),
    };
  }
  const env = (source === "mlproject" ? folder.project?.environment : undefined) ?? { kind: "unspecified" as const };
  if (env.kind === "docker_env") {
    return {
      source: "docker_env",
      requirements: [],
      dockerImage: env.docker.image,
      dockerVolumes: env.docker.volumes,
      dockerEnvironment: env.docker.environment,
    };
  }
  let found: { file: string; kind: "python_env" | "conda_env" | "requirements" } | undefined;
  if (env.kind === "python_env" || env.kind === "conda_env") {
    const file = inside(folder.dir, env.file, folder.projectFile ?? folder.dir);
    if (!existsSync(file)) {
      throw new FileFormatError(
        `${folder.projectFile ?? folder.dir}: ${env.kind} names ${env.file}, but no such file was found`,
      );
    }
    found = { file, kind: env.kind };
  } else {
    // The script's own folder first (a repository of several scripts, each with its
    // requirements), then the folder's root, as MLflow reads a project without an MLproject.
    const scriptDir = script?.includes("/") ? script.slice(0, script.lastIndexOf("/")) : "";
    const dirs = [...new Set([scriptDir, ""])].map((d) => inside(folder.dir, d === "" ? "." : d, folder.dir));
    for (const dir of dirs) {
      const name = ENVIRONMENT_FILE_NAMES.find((n) => isFile(join(dir, n)));
      if (name === undefined) continue;
      const kind = name === "python_env.yaml" ? "python_env" : name === "conda.yaml" ? "conda_env" : "requirements";
      found = { file: join(dir, name), kind };
      break;
    }
  }
  if (found === undefined) return { source: "none", requirements: [] };
  const spec = loadEnvSpec(found.file);
  return {
    source: found.kind,
    file: relative(folder.dir, found.file),
    requirements: spec.requirements,
    ignored: spec.ignored,
    ...(spec.mapped !== undefined ? { mapped: spec.mapped } : {}),
    ...(spec.python !== undefined ? { python: spec.python } : {}),
  };
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() === true;
}

function inside(dir: string, rel: string, label: string): string {
  const p = resolve(dir, rel);
  const r = relative(dir, p);
  if (r.startsWith("..") || resolve(r) === r) throw new FileFormatError(`${label}: ${rel} points outside ${dir}`);
  return p;
}
