import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { registerAuditCommand } from "../../../harness/cli/commands/audit.js";
import { registerTraceCommand } from "../../../harness/cli/commands/trace.js";
import { REPORT_SCHEMA_ID, REPORT_VERSION } from "../../../harness/report/schema.js";
import { TRACE_SCHEMA_ID, TRACE_SCHEMA_VERSION } from "../../../harness/trace/document.js";

// --help names the schema and version --json prints: the one the code writes, not one
// typed into the help text when it was v1.

function help(register: (p: Command) => void, name: string): string {
  const program = new Command("repro-audit");
  register(program);
  return (program.commands.find((c) => c.name() === name)?.helpInformation() ?? "").replace(/\s+/g, " ");
}

describe("--json help", () => {
  it("audit names the report schema it writes", () => {
    expect(help(registerAuditCommand, "audit")).toContain(`schema ${REPORT_SCHEMA_ID}, version ${REPORT_VERSION}`);
  });

  it("trace names the trace schema it writes", () => {
    expect(help(registerTraceCommand, "trace")).toContain(`schema ${TRACE_SCHEMA_ID}, version ${TRACE_SCHEMA_VERSION}`);
  });
});
