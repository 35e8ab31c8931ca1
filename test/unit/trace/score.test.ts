import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildChecklist } from "../../../harness/trace/checklist.js";
import { TRACE_ITEM_IDS, TRACE_ITEM_LABELS, type TraceItem, type TraceStatus } from "../../../harness/trace/item.js";
import { scoreTrace, scoreSelection, TRACE_WEIGHTS } from "../../../harness/trace/score.js";
import { fullSubject, rawSubject, registeredSubject } from "./recorded.js";

const items = (status: (id: (typeof TRACE_ITEM_IDS)[number]) => TraceStatus): TraceItem[] =>
  TRACE_ITEM_IDS.map((id) => ({ id, label: TRACE_ITEM_LABELS[id], status: status(id), detail: "x" }));

const ESSENTIAL = ["params", "metrics", "git_commit", "entry_point", "env_run", "seed"] as const;

describe("run score", () => {
  it("weighs the essentials 2 and the rest 1", () => {
    for (const id of TRACE_ITEM_IDS)
      expect({ id, w: TRACE_WEIGHTS[id] }).toEqual({ id, w: (ESSENTIAL as readonly string[]).includes(id) ? 2 : 1 });
  });

  it("is 1 when all present, 0 when all missing, null when nothing applies", () => {
    expect(scoreTrace(items(() => "present")).value).toBe(1);
    expect(scoreTrace(items(() => "missing")).value).toBe(0);
    expect(scoreTrace(items(() => "not_applicable"))).toEqual({ value: null, earned: 0, possible: 0 });
  });

  it("counts partial as half and leaves not_applicable out of the denominator", () => {
    // Only params (weight 2) partial and source (weight 1) present apply: (2*0.5 + 1) / 3.
    const s = scoreTrace(items((id) => (id === "params" ? "partial" : id === "source" ? "present" : "not_applicable")));
    expect(s.earned).toBe(2);
    expect(s.possible).toBe(3);
    expect(s.value).toBeCloseTo(2 / 3, 4);
  });

  it("scores the recorded runs by the formula", () => {
    // raw: only metrics (2) present; env_model n/a; total weight 19 - 1 = 18.
    expect(scoreTrace(buildChecklist(rawSubject())).value).toBeCloseTo(2 / 18, 4);
    // registered: params 2 + metrics 2 + source 1 + entry_point 2*0.5 + env_model 1 + seed 2 = 9 of 19.
    expect(scoreTrace(buildChecklist(registeredSubject())).value).toBeCloseTo(9 / 19, 4);
    expect(scoreTrace(buildChecklist(fullSubject())).value).toBe(1);
  });

  it("never drops when an item improves, and stays in [0, 1]", () => {
    const status = fc.constantFrom<TraceStatus>("present", "partial", "missing", "not_applicable");
    const better: Record<TraceStatus, TraceStatus> = {
      missing: "partial",
      partial: "present",
      present: "present",
      not_applicable: "not_applicable",
    };
    fc.assert(
      fc.property(fc.array(status, { minLength: 13, maxLength: 13 }), fc.integer({ min: 0, max: 12 }), (st, k) => {
        const before = scoreTrace(items((id) => st[TRACE_ITEM_IDS.indexOf(id)] ?? "missing"));
        const after = scoreTrace(
          items((id) => {
            const i = TRACE_ITEM_IDS.indexOf(id);
            const s = st[i] ?? "missing";
            return i === k ? better[s] : s;
          }),
        );
        if (before.value === null) return after.value === null;
        return after.value !== null && after.value >= before.value && after.value <= 1 && before.value >= 0;
      }),
    );
  });
});

describe("selection score", () => {
  it("is the mean of the run scores, with per-item coverage", () => {
    const runs = [fullSubject(), rawSubject(), registeredSubject()].map((s) => {
      const its = buildChecklist(s);
      return { items: its, score: scoreTrace(its) };
    });
    const sel = scoreSelection(runs);
    expect(sel.runs).toBe(3);
    expect(sel.value).toBeCloseTo((1 + 2 / 18 + 9 / 19) / 3, 3);
    const cov = Object.fromEntries(sel.coverage.map((c) => [c.id, c]));
    expect(cov["metrics"]).toMatchObject({ present: 3, partial: 0, missing: 0, notApplicable: 0, value: 1 });
    expect(cov["env_model"]).toMatchObject({ present: 2, notApplicable: 1, value: 1 });
    expect(cov["entry_point"]).toMatchObject({ present: 1, partial: 1, missing: 1, value: 0.5 });
  });

  it("is null for an empty selection", () => {
    expect(scoreSelection([]).value).toBeNull();
  });
});
