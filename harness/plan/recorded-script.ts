import { shlexQuote } from "./shlex.js";

// The script a run recorded as its source (`python train.py`, a script calling
// mlflow.autolog()), found in the checkout. Pure: the caller says which paths are
// files there.

/**
 * The checkout-relative path of the recorded script. MLflow records a LOCAL source
 * as sys.argv[0], absolute on the author's machine (/home/alice/proj/src/train.py)
 * or relative to where they ran it: the longest tail of it that is a file in the
 * checkout is the script (src/train.py before train.py, so a root-level namesake
 * does not win over the recorded folder). Undefined when no tail is.
 */
export function scriptInCheckout(sourceName: string, isFile: (relPath: string) => boolean): string | undefined {
  // Windows authors record backslashes; ".." could climb out of the checkout.
  const parts = sourceName.split(/[\\/]+/).filter((p) => p !== "" && p !== ".");
  if (parts.length === 0 || parts.includes("..")) return undefined;
  for (let i = 0; i < parts.length; i++) {
    const rel = parts.slice(i).join("/");
    if (isFile(rel)) return rel;
  }
  return undefined;
}

/** `python SCRIPT` from the script's folder, as its author ran it (working directory = that folder). */
export function scriptCommand(relPath: string): string {
  const slash = relPath.lastIndexOf("/");
  if (slash < 0) return `python ${shlexQuote(relPath)}`;
  return `cd ${shlexQuote(relPath.slice(0, slash))} && python ${shlexQuote(relPath.slice(slash + 1))}`;
}
