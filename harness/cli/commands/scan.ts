import type { Command } from "commander";
import { SCAN_SCHEMA, SCAN_VERSION, SEEDING_RULE } from "../../scan/document-text.js";

// `repro-audit scan`: its options and help; what it does is scan-action.ts, loaded
// when it runs, so that `--help` loads none of it.

/** Findings printed per project without --details. */
export const LISTED = 12;

export interface ScanOptions {
  json?: boolean;
  markdown?: string;
  projects?: boolean;
  details?: boolean;
}

export function registerScanCommand(program: Command): void {
  program
    .command("scan")
    .argument("<dir...>", "project folders (each is one project; with --projects, each immediate subfolder is)")
    .description(
      "Count which MLflow tracking calls Python code uses (start_run, log_param(s), log_metric(s), log_artifact(s), " +
        "log_input, set_tag(s), autolog, log_model, register_model; aliases such as `import mlflow as mf` and " +
        "MlflowClient() methods resolved) and list reproducibility hazards with file:line: unseeded RNGs (numpy, random, " +
        "torch, TensorFlow, sklearn estimators and splits without random_state), nondeterministic GPU settings, data " +
        "downloaded at run time, unpinned requirements (requirements*.txt, python_env.yaml, conda*.yaml, `!pip install`). " +
        "Reads .py files and notebooks' code cells with Python's own parser (python3, or $REPRO_AUDIT_HOST_PYTHON); " +
        "files in a git work tree are those git lists (ignored files skipped); vendored folders (.venv, site-packages, " +
        "node_modules, build, dist, ...) are skipped everywhere. A file that does not parse is listed as skipped.\n\n" +
        `Seeding rule, ${SEEDING_RULE}\n\n` +
        "Exit codes: 0 no hazard found, 1 hazards found, 2 bad input (no such folder, unwritable --markdown file, no python3).",
    )
    .option("--projects", "treat each immediate subfolder of each DIR as a project (a folder of checkouts)")
    .option(
      "--json",
      `print the versioned JSON document (schema ${SCAN_SCHEMA}, version ${SCAN_VERSION}) instead of the table`,
    )
    .option("--markdown <file>", "also write the findings as Markdown to FILE")
    .option("--details", `list every finding (default: the first ${LISTED} per project)`)
    .action(async (dirs: string[], opts: ScanOptions) => {
      // The walker, the parser process and the renderers load only when the command runs.
      const { scanAction } = await import("./scan-action.js");
      process.exitCode = await scanAction(dirs, opts);
    });
}
