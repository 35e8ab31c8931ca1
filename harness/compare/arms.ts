import { BadInputError } from "../errors.js";

// The arms of `compare`, as data: each runs the same workload in the same pinned
// image, and differs only in how it is tracked. PURE, and free of zod: the CLI parses
// --arms with it at start (the report's schema has the enum). A new arm is one entry here
// (and, if it needs something new of the image or the runner, that in the job).

export const ARM_IDS = ["untracked", "mlflow", "mlflow+capture"] as const;
export type ArmId = (typeof ARM_IDS)[number];

export interface ArmEntry {
  readonly label: string;
  readonly description: string;
  /** "none": no MLFLOW_* variable and the scenario's untracked form; "sandbox": MLflow into the per-execution sandbox store */
  readonly tracking: "none" | "sandbox";
  /** the capture plugin installed in the image (its wheel, from harness/exec/capture-wheel.ts) */
  readonly capturePlugin: boolean;
}

export const ARMS: Readonly<Record<ArmId, ArmEntry>> = {
  untracked: {
    label: "untracked",
    description:
      "MLflow not used: no MLFLOW_* variable, the scenario's untracked form of the command, metrics read from its JSON output",
    tracking: "none",
    capturePlugin: false,
  },
  mlflow: {
    label: "MLflow",
    description:
      "MLflow tracking into the execution's own sealed sandbox store; metrics read from MLflow, as audit does",
    tracking: "sandbox",
    capturePlugin: false,
  },
  "mlflow+capture": {
    label: "MLflow + capture",
    description: "as MLflow, with the repro-audit capture plugin (mlflow.run_context_provider) installed in the image",
    tracking: "sandbox",
    capturePlugin: true,
  },
};

/** The executions in the order they run: execution 1 of every arm, then 2 of every arm, ... */
export function interleavedOrder(arms: readonly ArmId[], replays: number): { arm: ArmId; index: number }[] {
  const order: { arm: ArmId; index: number }[] = [];
  for (let index = 0; index < replays; index++) for (const arm of arms) order.push({ arm, index });
  return order;
}

const isArmId = (v: string): v is ArmId => (ARM_IDS as readonly string[]).includes(v);

/** `--arms untracked,mlflow`: the arms named, in the order given, each once. */
export function parseArms(text: string): ArmId[] {
  const names = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const out: ArmId[] = [];
  for (const n of names) {
    if (!isArmId(n)) throw new BadInputError(`unknown arm "${n}": the arms are ${ARM_IDS.join(", ")}`);
    if (!out.includes(n)) out.push(n);
  }
  if (out.length < 2)
    throw new BadInputError(`compare needs at least two arms, e.g. --arms ${ARM_IDS.slice(0, 2).join(",")}`);
  return out;
}
