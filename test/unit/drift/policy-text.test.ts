import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  ACCEPT_LEVELS_WEAKEST_FIRST,
  DEFAULT_TOLERANCE_SPEC,
  acceptLevelsSyntax,
  acceptLevelsText,
  acceptOrderText,
  gateTableHeader,
} from "../../../harness/drift/policy-text.js";
import { ACCEPT_LEVELS, DEFAULT_ACCEPT } from "../../../harness/drift/accept-levels.js";
import { SCORE_FORMULA, isAccepted } from "../../../harness/drift/score.js";
import { DEFAULT_TOLERANCE } from "../../../harness/drift/tolerance.js";

const read = (path: string) => readFileSync(new URL(`../../../${path}`, import.meta.url), "utf8");
const README = read("README.md");
const DRIFT_README = read("harness/drift/README.md");

describe("policy text rendered from the constants", () => {
  it("spells the default tolerance as --tolerance does", () => {
    expect(DEFAULT_TOLERANCE_SPEC).toBe(
      `*=abs:${DEFAULT_TOLERANCE.abs},rel:${DEFAULT_TOLERANCE.rel},ulps:${DEFAULT_TOLERANCE.ulps}`,
    );
    expect(DEFAULT_TOLERANCE_SPEC).toBe("*=abs:1e-12,rel:1e-9,ulps:4");
  });

  it("lists the --accept levels weakest first: each accepts what the next one does, and more", () => {
    expect([...ACCEPT_LEVELS_WEAKEST_FIRST].sort()).toEqual([...ACCEPT_LEVELS].sort());
    for (let i = 1; i < ACCEPT_LEVELS_WEAKEST_FIRST.length; i++) {
      const weaker = ACCEPT_LEVELS_WEAKEST_FIRST[i - 1] as (typeof ACCEPT_LEVELS)[number];
      const stricter = ACCEPT_LEVELS_WEAKEST_FIRST[i] as (typeof ACCEPT_LEVELS)[number];
      expect(isAccepted(weaker, stricter), `${stricter} accepts ${weaker}`).toBe(false);
      expect(isAccepted(stricter, weaker), `${weaker} accepts ${stricter}`).toBe(true);
    }
    expect(acceptLevelsText()).toBe("varies, equivalent, or identical (bitwise)");
    expect(acceptLevelsSyntax()).toBe("varies|equivalent|identical");
    expect(acceptOrderText()).toBe("identical > equivalent > varies");
  });

  it("writes the score formula (in every report) as it read before it was generated", () => {
    expect(SCORE_FORMULA).toContain(
      "metric weight: identical 1, equivalent 1, varies 0.5, inconclusive 0.25, not_reproduced 0, failed 0; ",
    );
    expect(SCORE_FORMULA).toContain(
      "weaker than the policy's accept level (identical > equivalent > varies; default varies; an inconclusive",
    );
  });
});

describe("docs agree with the constants", () => {
  it("README.md: the default tolerance and the --accept choices", () => {
    const tolerances = [...README.matchAll(/default tolerance(?: is)?:?\s+`([^`]+)`/gi)].map((m) => m[1]);
    expect(tolerances.length).toBeGreaterThan(0);
    for (const t of tolerances) expect(t).toBe(DEFAULT_TOLERANCE_SPEC);
    const accepts = [...README.matchAll(/\[--accept ([^\]]+)\]/g)].map((m) => m[1]);
    expect(accepts.length).toBeGreaterThan(0);
    for (const a of accepts) expect(a).toBe(acceptLevelsSyntax());
  });

  it("harness/drift/README.md: the default tolerance and the gate table's --accept columns", () => {
    const tolerances = [...DRIFT_README.matchAll(/^Default: `([^`]+)`/gm)].map((m) => m[1]);
    expect(tolerances).toEqual([DEFAULT_TOLERANCE_SPEC]);
    const header = DRIFT_README.split("\n").filter((l) => l.startsWith("| run verdict |"));
    expect(header).toEqual([gateTableHeader()]);
    // The formula block words the accept order as the report's formula does.
    expect(DRIFT_README.replace(/\s+/g, " ")).toContain(`(${acceptOrderText()}; default ${DEFAULT_ACCEPT};`);
  });
});
