// PURE, and free of zod: the trace document's schema id and version, for --help
// (which must not load the schema's validators) and for document.ts.

export const TRACE_SCHEMA_ID = "repro-audit/trace";
export const TRACE_SCHEMA_VERSION = 1;
