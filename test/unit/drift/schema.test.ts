import { describe, expect, it } from "vitest";
import { z } from "zod";
import { JsonFloat, MetricScoreSchema } from "../../../harness/drift/schema.js";
import { judgeMetric } from "../../../harness/drift/verdict.js";

describe("JsonFloat codec", () => {
  it("writes NaN and ±Infinity as strings and reads them back", () => {
    const arr = z.array(JsonFloat);
    const values = [1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0];
    const text = JSON.stringify(z.encode(arr, values));
    expect(text).toBe('[1.5,"NaN","Infinity","-Infinity","-0",0]');
    expect(arr.parse(JSON.parse(text))).toEqual(values);
  });
  it("rejects other strings with a message", () => {
    expect(() => JsonFloat.parse("nan")).toThrow();
    expect(() => JsonFloat.parse(null)).toThrow();
  });
  it("round-trips a whole MetricScore holding non-finite numbers", () => {
    const m = judgeMetric(
      "loss",
      1,
      [
        { ok: true, value: Number.NaN },
        { ok: true, value: 0 },
      ],
      { abs: 0, rel: 0, ulps: 0 },
    );
    const json = JSON.parse(JSON.stringify(z.encode(MetricScoreSchema, m)));
    expect(json.replays).toEqual(["NaN", 0]);
    expect(MetricScoreSchema.parse(json)).toEqual(m);
  });
});
