// PURE, and free of zod: the report document's schema id and version, for --help
// (which must not load the schema's validators) and for schema.ts.

export const REPORT_SCHEMA_ID = "repro-audit/report" as const;
export const REPORT_VERSION = 4 as const;
