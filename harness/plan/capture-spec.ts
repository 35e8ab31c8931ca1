import { z } from "zod";

// How a replay's metrics are read back. `mlflow`: from the replay run on the
// tracking server (the script logs into the run the harness created). `json`: a
// file the workload writes under its output folder, metrics picked by JSONPath.
// `stdout-json`: the last line of stdout that is a JSON object, picked by JSONPath.

const JsonPaths = z
  .record(z.string().min(1), z.string().startsWith("$", { error: 'a JSONPath starts with "$", e.g. "$.rmse"' }))
  .refine((r) => Object.keys(r).length > 0, { error: "name at least one metric: { rmse: '$.rmse' }" });

export const CaptureSpecSchema = z.discriminatedUnion(
  "mode",
  [
    z.object({
      mode: z.literal("mlflow"),
      /** compare only these metrics (default: every metric the original logged) */
      names: z.array(z.string().min(1)).optional(),
    }),
    z.object({
      mode: z.literal("json"),
      file: z
        .string()
        .min(1)
        .refine((f) => !f.startsWith("/") && !f.split("/").includes(".."), {
          error: "file is relative to the output folder and may not leave it",
        }),
      paths: JsonPaths,
    }),
    z.object({ mode: z.literal("stdout-json"), paths: JsonPaths }),
  ],
  { error: 'metrics.mode must be one of "mlflow", "json", "stdout-json"' },
);
export type CaptureSpec = z.infer<typeof CaptureSpecSchema>;
