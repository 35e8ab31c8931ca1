import { z } from "zod";
import { type ParameterSpec, ParametersInputSchema } from "./parameters.js";
import { parsePyYaml } from "./pyyaml.js";
import { shlexQuote } from "./shlex.js";
import { FileFormatError, fileFormatError } from "./zod-message.js";

// MLproject files as MLflow Projects reads them (mlflow/projects/_project_spec.py,
// load_project): at most one of python_env / conda_env / docker_env; docker_env
// needs an image, volumes are strings, environment entries are a name to copy
// from the host or a [name, value] pair; entry points hold a command and
// parameters. Pure: the caller reads the file.

const DockerEnvSchema = z.object({
  image: z.string().min(1, "Docker environment specified but no image attribute found"),
  volumes: z
    .array(z.string(), { error: 'Docker volumes must be a list of strings, e.g. ["/path1/:/path1"]' })
    .default([]),
  environment: z
    .array(z.union([z.string(), z.tuple([z.string(), z.string()])]), {
      error:
        'environment must be a list of names to copy from the host or [name, value] pairs, e.g. [["NEW_VAR", "v"], "VAR_TO_COPY"]',
    })
    .default([]),
});

const EntryPointSchema = z.object({
  parameters: ParametersInputSchema,
  command: z.string({ error: "each entry point needs a command (a string)" }),
});

const MlProjectFileSchema = z
  .object({
    name: z.union([z.string(), z.number()]).transform(String).optional(),
    python_env: z.string().optional(),
    conda_env: z.string().optional(),
    docker_env: DockerEnvSchema.optional(),
    entry_points: z.record(z.string(), EntryPointSchema).default({}),
  })
  .refine((p) => [p.python_env, p.conda_env, p.docker_env].filter((e) => e !== undefined).length <= 1, {
    message: "Project cannot contain multiple environment fields (python_env, conda_env, docker_env): keep one",
  });

export type DockerEnv = z.infer<typeof DockerEnvSchema>;

export type ProjectEnvironment =
  | { kind: "python_env"; file: string }
  | { kind: "conda_env"; file: string }
  | { kind: "docker_env"; docker: DockerEnv }
  /** no field: MLflow then looks for python_env.yaml, then conda.yaml, in the folder */
  | { kind: "unspecified" };

export interface EntryPointSpec {
  name: string;
  command: string;
  parameters: Record<string, ParameterSpec>;
}

export interface MlProject {
  name?: string;
  environment: ProjectEnvironment;
  entryPoints: Record<string, EntryPointSpec>;
}

/** Parse MLproject text; `label` names the file in error messages. */
export function parseMlProject(text: string, label = "MLproject"): MlProject {
  const raw = parsePyYaml(text, label) ?? {};
  const parsed = MlProjectFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw fileFormatError(
      label,
      parsed.error,
      "See https://mlflow.org/docs/latest/projects.html#mlproject-file for the format.",
    );
  }
  const p = parsed.data;
  const environment: ProjectEnvironment = p.docker_env
    ? { kind: "docker_env", docker: p.docker_env }
    : p.python_env !== undefined
      ? { kind: "python_env", file: p.python_env }
      : p.conda_env !== undefined
        ? { kind: "conda_env", file: p.conda_env }
        : { kind: "unspecified" };
  const entryPoints: Record<string, EntryPointSpec> = {};
  for (const [name, ep] of Object.entries(p.entry_points)) {
    entryPoints[name] = { name, command: ep.command, parameters: ep.parameters };
  }
  return { ...(p.name !== undefined ? { name: p.name } : {}), environment, entryPoints };
}

/**
 * Project.get_entry_point: a declared entry point, or a .py/.sh file run directly
 * (`python <file>` / `bash <file>`, no parameters).
 */
export function entryPoint(project: MlProject, name: string): EntryPointSpec {
  const declared = project.entryPoints[name];
  if (declared) return declared;
  if (name.endsWith(".py")) return { name, command: `python ${shlexQuote(name)}`, parameters: {} };
  // MLflow uses $SHELL (default bash) for .sh; in a replay image that is bash.
  if (name.endsWith(".sh")) return { name, command: `bash ${shlexQuote(name)}`, parameters: {} };
  throw new FileFormatError(
    `Could not find ${name} among entry points ${JSON.stringify(Object.keys(project.entryPoints))} ` +
      `or interpret ${name} as a runnable script (.py or .sh)`,
  );
}
