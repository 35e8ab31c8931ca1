import { existsSync, readdirSync, readFileSync } from "node:fs";
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

/** The environment of the chosen command source, with requirement files read. */
export function resolveEnvironment(
  folder: CodeFolder,
  source: "mlproject" | "scenario" | "tag" | "script",
): PlanEnvironmentInput {
  if (source === "scenario" && folder.scenario) {
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
  const env = folder.project?.environment ?? { kind: "unspecified" as const };
  if (env.kind === "docker_env") {
    return {
      source: "docker_env",
      requirements: [],
      dockerImage: env.docker.image,
      dockerVolumes: env.docker.volumes,
      dockerEnvironment: env.docker.environment,
    };
  }
  let file: string | undefined;
  let kind: "python_env" | "conda_env" | undefined;
  if (env.kind === "python_env" || env.kind === "conda_env") {
    file = inside(folder.dir, env.file, folder.projectFile ?? folder.dir);
    if (!existsSync(file)) {
      throw new FileFormatError(
        `${folder.projectFile ?? folder.dir}: ${env.kind} names ${env.file}, but no such file was found`,
      );
    }
    kind = env.kind;
  } else if (existsSync(join(folder.dir, "python_env.yaml"))) {
    file = join(folder.dir, "python_env.yaml");
    kind = "python_env";
  } else if (existsSync(join(folder.dir, "conda.yaml"))) {
    file = join(folder.dir, "conda.yaml");
    kind = "conda_env";
  }
  if (!file || !kind) return { source: "none", requirements: [] };
  const spec = loadEnvSpec(file);
  return {
    source: kind,
    file: relative(folder.dir, file),
    requirements: spec.requirements,
    ignored: spec.ignored,
    ...(spec.python !== undefined ? { python: spec.python } : {}),
  };
}

function inside(dir: string, rel: string, label: string): string {
  const p = resolve(dir, rel);
  const r = relative(dir, p);
  if (r.startsWith("..") || resolve(r) === r) throw new FileFormatError(`${label}: ${rel} points outside ${dir}`);
  return p;
}
