import type { ParsedFile } from "./facts.js";

// Names as the code writes them → the dotted names they stand for: `mf.log_metric`
// → mlflow.log_metric after `import mlflow as mf`; `client.log_metric` →
// `mlflow.tracking.MlflowClient().log_metric` after `client = mf.tracking.MlflowClient()`.
// Flow-insensitive (the last binding of a name wins, wherever it is), as a reader
// skimming the file would take it. PURE.

const MAX_DEPTH = 8;

export type Resolver = (dotted: string) => string;

/** A resolver for one file's names, from its imports and simple assignments. */
export function resolverFor(file: ParsedFile): Resolver {
  const bindings = new Map<string, string>();
  for (const imp of file.imports) {
    if (imp.name === null) {
      // `import a.b` binds `a` to itself; `import a.b as x` binds x to a.b
      if (imp.asname !== null) bindings.set(imp.asname, imp.module);
    } else if (imp.name !== "*") {
      bindings.set(imp.asname ?? imp.name, imp.module === "" ? imp.name : `${imp.module}.${imp.name}`);
    }
  }
  for (const a of file.assigns) {
    if (!/^[A-Za-z_]\w*$/.test(a.target)) continue;
    if ("call" in a.value) bindings.set(a.target, `${a.value.call}()`);
    else if ("name" in a.value && a.value.name !== a.target) bindings.set(a.target, a.value.name);
    else bindings.delete(a.target);
  }
  const resolve = (dotted: string, depth: number): string => {
    const head = /^[A-Za-z_]\w*/.exec(dotted)?.[0];
    if (head === undefined || depth >= MAX_DEPTH) return dotted;
    const bound = bindings.get(head);
    if (bound === undefined) return dotted;
    const expanded = bound + dotted.slice(head.length);
    return resolve(expanded, depth + 1);
  };
  // The client is one class under three import paths.
  return (dotted) =>
    resolve(dotted, 0).replace(/^mlflow\.(tracking\.|client\.)?MlflowClient\(\)/, "mlflow.MlflowClient()");
}

/** The last name of a dotted callee: `mlflow.MlflowClient().log_metric` → `log_metric`. */
export function lastName(dotted: string): string {
  const parts = dotted.split(".");
  return (parts[parts.length - 1] ?? "").replace(/\(\)$/, "");
}
