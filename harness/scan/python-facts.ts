import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { BadInputError } from "../errors.js";
import { ExtractedFileSchema, type ExtractedFile } from "./facts.js";

// I/O: Python's own parser over a batch of sources. One short-lived process per scan
// (host python3, or $REPRO_AUDIT_HOST_PYTHON), fed JSON lines on stdin and answering
// one JSON line per source, so progress can be shown while it works. The script
// ships as a source file beside this module (package.json "files").

const SCRIPT_CANDIDATES = [
  new URL("./extract.py", import.meta.url),
  new URL("../../../harness/scan/extract.py", import.meta.url),
];

function extractorScript(): string {
  for (const candidate of SCRIPT_CANDIDATES) {
    const path = fileURLToPath(candidate);
    if (existsSync(path)) return readFileSync(path, "utf8");
  }
  throw new BadInputError("harness/scan/extract.py not found beside the scanner: reinstall repro-audit");
}

export function hostPython(): string {
  return process.env["REPRO_AUDIT_HOST_PYTHON"] ?? "python3";
}

/** A source to parse: its text, or how to read it when its turn comes (a large tree is never all in memory). */
export interface SourceToParse {
  id: string;
  source: string | (() => string | undefined);
}

/** Facts for each source, by id; `onEach` is called after each answer (for progress). */
export async function extractFacts(
  sources: readonly SourceToParse[],
  onEach: (done: number) => void = () => {},
): Promise<Map<string, ExtractedFile>> {
  const out = new Map<string, ExtractedFile>();
  if (sources.length === 0) return out;
  const python = hostPython();
  const child = spawn(python, ["-B", "-c", extractorScript()], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => {
    if (stderr.length < 4000) stderr += c.toString();
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on("error", (err) => resolve(err.message));
    child.on("close", (code) => resolve(code ?? -1));
  });
  // A broken pipe shows as the exit below, with Python's stderr.
  let broken = false;
  child.stdin.on("error", () => {
    broken = true;
  });
  const answers = createInterface({ input: child.stdout });
  // Fed as Python reads: waiting for 'drain' keeps at most a pipe's worth of sources in memory.
  const fed = (async () => {
    let expected = 0;
    for (const s of sources) {
      if (broken) break;
      const source = typeof s.source === "string" ? s.source : s.source();
      if (source === undefined) continue;
      expected++;
      if (!child.stdin.write(`${JSON.stringify({ id: s.id, source })}\n`))
        await new Promise((resolve) => {
          child.stdin.once("drain", resolve);
          child.stdin.once("close", resolve);
        });
    }
    child.stdin.end();
    return expected;
  })();
  let bad: string | undefined;
  for await (const line of answers) {
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      bad ??= line.slice(0, 200);
      continue;
    }
    const parsed = ExtractedFileSchema.safeParse(value);
    if (!parsed.success) {
      bad ??= line.slice(0, 200);
      continue;
    }
    out.set(parsed.data.id, parsed.data);
    onEach(out.size);
  }
  const code = await exited;
  const expected = await fed;
  if (code !== 0 || bad !== undefined || out.size !== expected)
    throw new BadInputError(
      typeof code === "string"
        ? `cannot run ${python} to parse the Python sources (${code}): install python3 or set REPRO_AUDIT_HOST_PYTHON`
        : `the Python parser (${python}) ${code !== 0 ? `exited with ${code}` : `answered ${out.size} of ${expected}`}` +
            `${bad !== undefined ? `; unexpected line: ${bad}` : ""}${stderr !== "" ? `; stderr: ${stderr.trim().slice(-600)}` : ""}`,
    );
  return out;
}
