import type { Command } from "commander";

// The selection flags (harness/selection/ holds what they mean). Commander hands
// them over as a SelectionOptions, which parseSelection checks.

/** Adds the selection options to a command. */
export function addSelectionOptions(cmd: Command): Command {
  return cmd
    .option("--experiment <name...>", "runs of the experiment(s) with this name")
    .option("--filter <expr>", `MLflow search filter, e.g. "metrics.rmse < 0.8 and params.alpha = '0.5'"`)
    .option("--run <id...>", "these run IDs")
    .option("--model <name>", "registered model name (with --version or --alias)")
    .option("--version <v>", "model version number (with --model)")
    .option("--alias <alias>", "model version alias, e.g. champion (with --model)")
    .addHelpText(
      "after",
      "\nWith no selection option, the runs of the experiment MLflow's client would use: " +
        "MLFLOW_EXPERIMENT_NAME, else MLFLOW_EXPERIMENT_ID. MLFLOW_TRACKING_URI (or --tracking-uri) may be an " +
        "http(s):// server, sqlite:///path.db, file:///folder or a folder path (opened through an embedded server).",
    );
}
