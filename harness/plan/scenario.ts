import { z } from "zod";
import { CaptureSpecSchema } from "./capture-spec.js";
import { ParametersInputSchema } from "./parameters.js";
import { templateFields, TemplateError } from "./python-format.js";
import { parsePyYaml } from "./pyyaml.js";
import { fileFormatError, FileFormatError } from "./zod-message.js";

// A scenario file (scenario.yaml in a scenario folder): a bundled or user-written
// workload the harness can run without an MLproject, e.g.
//   name: basic
//   command: python train.py --alpha {alpha} --seed {seed}
//   parameters: { alpha: {type: float, default: 0.5}, seed: {type: int, default: 42} }
//   environment: { python: "3.11", lock: requirements.lock }
//   metrics: { mode: mlflow }            # or { mode: json, file: metrics.json, paths: { rmse: $.rmse } }
//   limits: { timeout: 300, memory: 1024 }
//   untracked: { args: --no-tracking, metrics: { mode: json, file: metrics.json, paths: { rmse: $.rmse } } }
// Parameters and the command follow MLproject rules (same binding, same quoting).

const relativePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith("/") && !p.split("/").includes(".."), {
    error: "must be a path inside the scenario folder (relative, no ..)",
  });

export const ScenarioFileSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: "name: letters, digits, . _ - (it names results folders)" }),
    description: z.string().default(""),
    command: z
      .string()
      .min(1, { error: "command is the template to run, e.g. python train.py --alpha {alpha}" })
      .optional(),
    /** a notebook to run headless instead of a command (papermill-style: params injected after the `parameters` cell) */
    notebook: relativePath
      .refine((p) => p.endsWith(".ipynb"), { error: "notebook is a .ipynb file inside the scenario folder" })
      .optional(),
    parameters: ParametersInputSchema,
    environment: z
      .object({
        python: z
          .union([z.string(), z.number()])
          .transform(String)
          .pipe(z.string().regex(/^\d+\.\d+(\.\d+)?$/, { error: 'python is a version like "3.11"' }))
          .optional(),
        lock: relativePath,
      })
      .strict(),
    metrics: CaptureSpecSchema.default({ mode: "mlflow" }),
    /**
     * How the workload runs with no tracking at all (compare's untracked arm): `args`
     * appended to the bound command (e.g. --no-tracking), metrics read from its JSON
     * output (mode json or stdout-json) since there is no MLflow run to read them from.
     */
    untracked: z
      .object({
        args: z.string().default(""),
        metrics: CaptureSpecSchema.refine((m) => m.mode !== "mlflow", {
          error: 'untracked.metrics reads the workload\'s JSON output: mode "json" or "stdout-json"',
        }),
      })
      .strict()
      .optional(),
    limits: z
      .object({
        timeout: z.number().positive({ error: "timeout is in seconds, > 0" }).optional(),
        memory: z.number().int().min(16, { error: "memory is in MiB, at least 16" }).optional(),
        cpus: z.number().positive().optional(),
      })
      .strict()
      .default({}),
  })
  .strict()
  .superRefine((s, ctx) => {
    if ((s.command === undefined) === (s.notebook === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["command"],
        message: "give either command (a template to run) or notebook (a .ipynb to run headless), not both",
      });
      return;
    }
    if (s.command === undefined) return;
    let fields: string[] = [];
    try {
      fields = templateFields(s.command);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      ctx.addIssue({ code: "custom", path: ["command"], message: err.message });
      return;
    }
    for (const f of fields) {
      if (!Object.hasOwn(s.parameters, f)) {
        ctx.addIssue({ code: "custom", path: ["command"], message: `{${f}} is not declared under parameters` });
      }
    }
  });

export type ScenarioFile = z.infer<typeof ScenarioFileSchema>;

/** Parse scenario.yaml text; `label` (the file path) prefixes every error line. */
export function parseScenario(text: string, label = "scenario.yaml"): ScenarioFile {
  const raw = parsePyYaml(text, label);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new FileFormatError(`${label}: (top level): expected a mapping with name, command, environment, ...`);
  }
  // Ints arrive as bigint (so parameter defaults print as Python would); elsewhere
  // they are plain numbers.
  const { parameters, ...rest } = raw as Record<string, unknown>;
  const parsed = ScenarioFileSchema.safeParse({
    ...bigintsToNumbers(rest),
    ...(parameters !== undefined ? { parameters } : {}),
  });
  if (!parsed.success) throw fileFormatError(label, parsed.error);
  return parsed.data;
}

// biome-ignore lint/suspicious/noExplicitAny: the parsed YAML is validated by zod right after; any keeps that one step short
function bigintsToNumbers(v: unknown): any {
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(bigintsToNumbers);
  if (v !== null && typeof v === "object" && !(v instanceof Date)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, bigintsToNumbers(x)]));
  }
  return v;
}
