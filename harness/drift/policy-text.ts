import { ACCEPT_LEVELS, type AcceptLevel, DEFAULT_ACCEPT } from "./accept-levels.js";
import { DEFAULT_POLICY, describePolicy } from "./tolerance.js";
import { verdictRank } from "./verdict.js";

// The policy as help and docs spell it, rendered from the constants so that neither
// can drift from what the gate does (test/unit/drift/policy-text.test.ts holds the
// READMEs to these strings).

/** The default tolerance as `--tolerance` spells it: "*=abs:1e-12,rel:1e-9,ulps:4". */
export const DEFAULT_TOLERANCE_SPEC = describePolicy(DEFAULT_POLICY);

/** The --accept levels weakest first, the order in which they tighten the gate. */
export const ACCEPT_LEVELS_WEAKEST_FIRST: readonly AcceptLevel[] = [...ACCEPT_LEVELS].sort(
  (a, b) => verdictRank(a) - verdictRank(b),
);

const ACCEPT_NOTES: Partial<Record<AcceptLevel, string>> = { identical: "bitwise" };

/** "varies, equivalent, or identical (bitwise)" */
export function acceptLevelsText(): string {
  const named = ACCEPT_LEVELS_WEAKEST_FIRST.map((l) =>
    ACCEPT_NOTES[l] !== undefined ? `${l} (${ACCEPT_NOTES[l]})` : l,
  );
  return `${named.slice(0, -1).join(", ")}, or ${named.at(-1) ?? ""}`;
}

/** "varies|equivalent|identical", as a usage line writes the choice. */
export function acceptLevelsSyntax(): string {
  return ACCEPT_LEVELS_WEAKEST_FIRST.join("|");
}

/** "identical > equivalent > varies": the levels strongest first, as the score formula orders them. */
export function acceptOrderText(): string {
  return [...ACCEPT_LEVELS_WEAKEST_FIRST].reverse().join(" > ");
}

/** The header of the gate table (verdict × level), the default level marked. */
export function gateTableHeader(): string {
  const cols = ACCEPT_LEVELS_WEAKEST_FIRST.map((l) => `\`--accept ${l}\`${l === DEFAULT_ACCEPT ? " (default)" : ""}`);
  return `| run verdict | ${cols.join(" | ")} |`;
}
