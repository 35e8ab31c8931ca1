import { z } from "zod";
import { EXECUTOR_KINDS } from "./executors.js";

// The executor kinds as a zod enum, for the journal's and the report's schemas. Apart
// from executors.ts so that the registry stays free of zod: the CLI reads it to
// define --executor, and `--help` should not load the schema library.

export const ExecutorKindSchema = z.enum(EXECUTOR_KINDS);
