import { readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { BadInputError } from "../errors.js";
import { aggregateProjects } from "./aggregate.js";
import { classifyFile } from "./classify.js";
import type { ScanDocument, ScanHazard, ScanProject } from "./document.js";
import { LISTING_RULE, SCAN_SCHEMA, SCAN_VERSION, SEEDING_RULE } from "./document-text.js";
import { cellOf, notebookSource, type NotebookSource } from "./notebook.js";
import { extractFacts, type SourceToParse } from "./python-facts.js";
import { unpinnedEntries } from "./requirements.js";
import { listProjectFiles } from "./walk.js";

// The scan command's job: folders → the scan document. I/O at the edges (listing,
// reading, the Python parser); the classification it calls is pure.

export interface ScanOptions {
  /** each immediate subfolder of each DIR is a project (a folder of checkouts) */
  eachSubfolder?: boolean;
  /** called as Python answers: files parsed so far, of how many */
  onProgress?: (done: number, total: number) => void;
}

const HIDDEN_OR_VENDORED = /^(\.|__pycache__$|node_modules$|venv$|site-packages$|build$|dist$|mlruns$)/;

function projectFolders(dirs: readonly string[], eachSubfolder: boolean): string[] {
  const out: string[] = [];
  for (const dir of dirs) {
    const st = statSync(dir, { throwIfNoEntry: false });
    if (st === undefined)
      throw new BadInputError(`${dir}: no such folder (scan takes folders: repro-audit scan DIR...)`);
    if (!st.isDirectory())
      throw new BadInputError(`${dir}: not a folder (scan takes folders: repro-audit scan DIR...)`);
    if (!eachSubfolder) {
      out.push(dir);
      continue;
    }
    const subs = readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !HIDDEN_OR_VENDORED.test(e.name))
      .map((e) => join(dir, e.name))
      .sort();
    if (subs.length === 0)
      throw new BadInputError(`${dir}: no subfolders to scan as projects (drop --projects to scan it as one project)`);
    out.push(...subs);
  }
  return out;
}

interface Pending {
  project: ScanProject;
  file: string;
  notebook?: NotebookSource;
}

export async function scanProjects(dirs: readonly string[], opts: ScanOptions = {}): Promise<ScanDocument> {
  if (dirs.length === 0) throw new BadInputError("no folder given: repro-audit scan DIR... (see --help)");
  const projects: ScanProject[] = [];
  const sources: SourceToParse[] = [];
  const pending = new Map<string, Pending>();
  for (const folder of projectFolders(dirs, opts.eachSubfolder === true)) {
    const listed = await listProjectFiles(folder);
    const project: ScanProject = {
      path: folder,
      listing: listed.listing,
      files: { python: 0, notebooks: 0, environment: 0 },
      skipped: [...listed.skipped],
      features: [],
      hazards: [],
    };
    projects.push(project);
    for (const file of listed.files) {
      const read = (): string | undefined => {
        try {
          return readFileSync(join(folder, file), "utf8");
        } catch (err) {
          project.skipped.push({ file, reason: `unreadable (${(err as NodeJS.ErrnoException).code ?? String(err)})` });
          return undefined;
        }
      };
      const id = `${projects.length - 1}:${file}`;
      if (file.endsWith(".py")) {
        // read when the parser is ready for it, so a large tree is not held in memory
        project.files.python++;
        sources.push({ id, source: read });
        pending.set(id, { project, file });
        continue;
      }
      const text = read();
      if (text === undefined) continue;
      if (file.endsWith(".ipynb")) {
        project.files.notebooks++;
        const nb = notebookSource(text);
        if (typeof nb === "string") project.skipped.push({ file, reason: nb });
        else {
          sources.push({ id, source: nb.source });
          pending.set(id, { project, file, notebook: nb });
        }
      } else {
        project.files.environment++;
        const entries = unpinnedEntries(basename(file), text);
        if (typeof entries === "string") project.skipped.push({ file, reason: entries });
        else
          for (const e of entries)
            project.hazards.push({
              kind: "unpinned-requirement",
              file,
              line: e.line,
              why: `${e.entry} is not pinned to one version (==)`,
            });
      }
    }
  }
  const facts = await extractFacts(sources, (done) => opts.onProgress?.(done, sources.length));
  for (const [id, p] of pending) {
    const extracted = facts.get(id);
    if (extracted === undefined) continue;
    if (!extracted.ok) {
      p.project.skipped.push({ file: p.file, reason: extracted.error });
      continue;
    }
    const found = classifyFile(extracted, p.notebook?.shell ?? []);
    const at = (line: number) => {
      const c = p.notebook === undefined ? undefined : cellOf(p.notebook.cells, line);
      return c === undefined ? { file: p.file, line } : { file: p.file, line: c.line, cell: c.cell };
    };
    for (const f of found.features) p.project.features.push({ ...at(f.line), feature: f.feature, callee: f.callee });
    for (const h of found.hazards) p.project.hazards.push({ ...at(h.line), kind: h.kind, why: h.why });
  }
  type Located = Pick<ScanHazard, "file" | "line" | "cell">;
  const order = (a: Located, b: Located) =>
    a.file.localeCompare(b.file) || (a.cell ?? 0) - (b.cell ?? 0) || a.line - b.line;
  for (const p of projects) {
    p.features.sort(order);
    p.hazards.sort(order);
    p.skipped.sort((a, b) => a.file.localeCompare(b.file));
  }
  return {
    schema: SCAN_SCHEMA,
    version: SCAN_VERSION,
    rules: { listing: LISTING_RULE, seeding: SEEDING_RULE },
    projects,
    aggregate: aggregateProjects(projects),
  };
}
