import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

// The import graph between harness/'s top-level folders, read from the sources'
// import statements (static, re-exports and dynamic imports with a literal path).
// A file directly under harness/ is a node of its own, named by its file name.

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["'](\.{1,2}\/[^"']+)["']/gm;

export type FolderGraph = Map<string, Map<string, string[]>>;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [path] : [];
  });
}

function nodeOf(root: string, file: string): string {
  const parts = relative(root, file).split(sep);
  return parts[0] ?? "";
}

/** node -> (imported node -> the importing files, relative to harness/). */
export function folderGraph(harnessDir: string): FolderGraph {
  const graph: FolderGraph = new Map();
  for (const file of sourceFiles(harnessDir)) {
    const from = nodeOf(harnessDir, file);
    const edges = graph.get(from) ?? new Map<string, string[]>();
    graph.set(from, edges);
    for (const m of readFileSync(file, "utf8").matchAll(IMPORT)) {
      const target = resolve(dirname(file), (m[1] as string).replace(/\.js$/, ".ts"));
      const to = nodeOf(harnessDir, target);
      if (to === from || to.startsWith("..")) continue;
      const files = edges.get(to) ?? [];
      files.push(relative(harnessDir, file));
      edges.set(to, files);
    }
  }
  return graph;
}

/** Every cycle's nodes in order (each found once from its first node), or [] if none. */
export function cycles(graph: FolderGraph): string[][] {
  const found: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (state.get(next) === "open") found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (state.get(node) === undefined) visit(node);
  return found;
}
