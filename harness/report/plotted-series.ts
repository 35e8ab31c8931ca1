/**
 * One plotted step history as report.json holds it. PURE.
 *
 * In memory a series is `HistoryPoint[]`, as renderers read it. In JSON, from
 * report version 4, it is two parallel arrays, `{"steps":[...],"values":[...]}`:
 * no key repeated per point, about half the bytes, and a check per array rather
 * than a zod object per point. Values go through drift's float tokens (NaN,
 * ±Infinity, -0 as strings). Versions 1-3 wrote `[{"step":..,"value":..}, ...]`;
 * that form is still read and decodes to the same points.
 */
import { z } from "zod";

import {
  type HistoryPoint,
  SPECIAL_FLOAT_TOKENS,
  type SpecialFloatToken,
  decodeFloat,
  encodeFloat,
} from "../drift/schema.js";

type FloatToken = number | SpecialFloatToken;

const SPECIAL = new Set<unknown>(SPECIAL_FLOAT_TOKENS);
const isFloatToken = (v: unknown): v is FloatToken => typeof v === "number" || SPECIAL.has(v);
const isStep = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isPoint = (p: unknown): p is HistoryPoint =>
  typeof p === "object" &&
  p !== null &&
  isStep((p as HistoryPoint).step) &&
  typeof (p as HistoryPoint).value === "number";

// The arrays' contents are checked in one loop each (in `decode`), not element by
// element through zod: a long series costs a loop, and a bad one gets one clear message.
const ColumnsJsonSchema = z.object({ steps: z.array(z.unknown()), values: z.array(z.unknown()) });

/** Report versions 1-3: one object per point. */
const PointsJsonSchema = z.array(
  z.object({ step: z.number(), value: z.union([z.number(), z.enum(SPECIAL_FLOAT_TOKENS)]) }),
);

function columnsProblem(c: { steps: unknown[]; values: unknown[] }): string | undefined {
  if (!c.steps.every(isStep)) return "steps must be an array of finite numbers";
  if (!c.values.every(isFloatToken))
    return `values must be an array of numbers or the strings ${SPECIAL_FLOAT_TOKENS.join(", ")}`;
  if (c.steps.length !== c.values.length)
    return `steps and values must have the same length (${c.steps.length} steps, ${c.values.length} values)`;
  return undefined;
}

export const PlottedSeriesSchema = z.codec(
  z.union([ColumnsJsonSchema, PointsJsonSchema]),
  // The in-memory side, checked before encoding: what is written was a series of numbers.
  z.custom<HistoryPoint[]>((v) => Array.isArray(v) && v.every(isPoint), "expected an array of {step, value} numbers"),
  {
    decode: (json, payload) => {
      if (Array.isArray(json)) return json.map((p) => ({ step: p.step, value: decodeFloat(p.value) }));
      const problem = columnsProblem(json);
      if (problem !== undefined) {
        payload.issues.push({ code: "custom", message: problem, input: json });
        return [];
      }
      return json.steps.map((step, i) => ({ step: step as number, value: decodeFloat(json.values[i] as FloatToken) }));
    },
    encode: (points) => ({ steps: points.map((p) => p.step), values: points.map((p) => encodeFloat(p.value)) }),
  },
);
