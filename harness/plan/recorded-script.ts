import { shlexQuote } from "./shlex.js";

// The script a run recorded as its source (`python train.py`, a script calling
// mlflow.autolog()), found in the checkout. Pure: the caller says which paths are
// files there.

/** Where the recorded script is in the checkout: one file, several that fit, or none. */
export type ScriptMatch = { path: string } | { ambiguous: string[] } | undefined;

/**
 * The checkout-relative path of the recorded script. MLflow records a LOCAL source
 * as sys.argv[0]: absolute on the author's machine (/home/alice/proj/src/train.py)
 * or relative to the folder they ran it from (train.py, run in src/). The longest
 * tail of it that ends exactly one file of the checkout is the script; a tail that
 * ends several is ambiguous and refused rather than guessed.
 */
export function scriptInCheckout(sourceName: string, files: readonly string[]): ScriptMatch {
  // Windows authors record backslashes; ".." could climb out of the checkout.
  const parts = sourceName.split(/[\\/]+/).filter((p) => p !== "" && p !== ".");
  if (parts.length === 0 || parts.includes("..")) return undefined;
  for (let i = 0; i < parts.length; i++) {
    const tail = parts.slice(i).join("/");
    const fits = files.filter((f) => f === tail || f.endsWith(`/${tail}`));
    const [only] = fits;
    if (only !== undefined && fits.length === 1) return { path: only };
    if (fits.length > 1) return { ambiguous: [...fits].sort() };
  }
  return undefined;
}

/** `python SCRIPT` from the script's folder, as its author ran it (working directory = that folder). */
export function scriptCommand(relPath: string): string {
  const slash = relPath.lastIndexOf("/");
  if (slash < 0) return `python ${shlexQuote(relPath)}`;
  return `cd ${shlexQuote(relPath.slice(0, slash))} && python ${shlexQuote(relPath.slice(slash + 1))}`;
}
