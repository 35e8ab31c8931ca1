import { z } from "zod";

// What harness/scan/extract.py says about one Python source: the boundary between
// Python's parser and the TypeScript classifier. One line of its output is one
// ExtractedFile; the classifier reads nothing else of the code.

/** An argument as the extractor reports it: a small literal, null for None, "<expr>" for anything else. */
const ArgValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type ArgValue = z.infer<typeof ArgValue>;

const Import = z.object({
  /** `import a.b` → "a.b"; `from a.b import c` → "a.b" */
  module: z.string(),
  /** `from a import c` → "c"; null for `import a` */
  name: z.string().nullable(),
  asname: z.string().nullable(),
  line: z.number().int(),
});

const Call = z.object({
  /** the callee as written, dotted: `np.random.seed`, `mlflow.tracking.MlflowClient().log_metric` */
  callee: z.string(),
  line: z.number().int(),
  /** the first four positional arguments */
  args: z.array(ArgValue),
  nargs: z.number().int(),
  keywords: z.record(z.string(), ArgValue),
});
export type PyCall = z.infer<typeof Call>;

const Assign = z.object({
  /** dotted target: `client`, `torch.backends.cudnn.benchmark`, `os.environ[TF_DETERMINISTIC_OPS]` */
  target: z.string(),
  line: z.number().int(),
  value: z.union([z.object({ call: z.string() }), z.object({ name: z.string() }), z.object({ literal: ArgValue })]),
});

export const ExtractedFileSchema = z.discriminatedUnion("ok", [
  z.object({
    id: z.string(),
    ok: z.literal(true),
    imports: z.array(Import),
    calls: z.array(Call),
    assigns: z.array(Assign),
  }),
  z.object({ id: z.string(), ok: z.literal(false), error: z.string() }),
]);
export type ExtractedFile = z.infer<typeof ExtractedFileSchema>;
export type ParsedFile = Extract<ExtractedFile, { ok: true }>;
