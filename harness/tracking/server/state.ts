import { readFileSync, writeFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

/** What a running embedded server leaves in its data folder, so later calls find it. */
export const ServerStateSchema = z.object({
  pid: z.number().int().positive(),
  port: z.number().int().positive(),
  url: z.string().url(),
  dataDir: z.string(),
  startedAt: z.string(),
  mlflowVersion: z.string().optional(),
});
export type ServerState = z.infer<typeof ServerStateSchema>;

export const stateFile = (dataDir: string): string => join(dataDir, "server.json");

export function readState(dataDir: string): ServerState | undefined {
  let raw: string;
  try {
    raw = readFileSync(stateFile(dataDir), "utf8");
  } catch {
    return undefined;
  }
  const parsed = ServerStateSchema.safeParse(safeJson(raw));
  // A torn or foreign state file means no server we know of; the caller starts afresh.
  return parsed.success ? parsed.data : undefined;
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

export function writeState(state: ServerState): void {
  const file = stateFile(state.dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}

export function clearState(dataDir: string): void {
  rmSync(stateFile(dataDir), { force: true });
}
