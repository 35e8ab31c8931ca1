/**
 * The replays' fingerprints as report.json holds them. PURE.
 *
 * In memory, one `Fingerprint` per replay, as renderers read them. The replays of a
 * run nearly always ran in one environment (one image, one host), so from report
 * version 4 the JSON holds each distinct environment once and, per replay, which
 * one and when it was captured:
 *   {"environments": [{host, container, code, imageId, executor}, ...],
 *    "replays": [{"environment": 0, "capturedAt": "..."}, ...]}
 * Each distinct environment is validated once, not once per replay. Versions 1-3
 * wrote one whole fingerprint per replay; that form is still read.
 */
import { z } from "zod";

import { type Fingerprint, FingerprintSchema } from "../fingerprint/schema.js";

const EnvironmentSchema = FingerprintSchema.omit({ capturedAt: true });
const CapturedAtSchema = FingerprintSchema.shape.capturedAt;

// Contents are checked in decode/encode with paths of their own: one clear message, each environment once.
const DistinctJsonSchema = z.object({
  environments: z.array(z.unknown()),
  replays: z.array(z.object({ environment: z.number().int().nonnegative(), capturedAt: z.unknown() })),
});

type Issues = { issues: z.core.$ZodRawIssue[] };

function check<T>(schema: z.ZodType<T>, value: unknown, path: (string | number)[], payload: Issues): T | undefined {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  for (const issue of r.error.issues)
    payload.issues.push({ code: "custom", message: issue.message, path: [...path, ...issue.path], input: value });
  return undefined;
}

export const ReplayFingerprintsSchema = z.codec(
  z.union([DistinctJsonSchema, z.array(z.unknown())]),
  z.custom<Fingerprint[]>((v) => Array.isArray(v), "expected an array of fingerprints"),
  {
    decode: (json, payload) => {
      if (Array.isArray(json)) return json.map((fp, i) => check(FingerprintSchema, fp, [i], payload) as Fingerprint);
      const envs = json.environments.map((e, i) => check(EnvironmentSchema, e, ["environments", i], payload));
      return json.replays.map((r, i) => {
        const env = envs[r.environment];
        if (r.environment >= envs.length)
          payload.issues.push({
            code: "custom",
            path: ["replays", i, "environment"],
            message: `replay ${i} names environment ${r.environment}, but there are ${envs.length}`,
            input: r,
          });
        const capturedAt = check(CapturedAtSchema, r.capturedAt, ["replays", i, "capturedAt"], payload);
        return { ...env, capturedAt } as Fingerprint;
      });
    },
    encode: (fingerprints, payload) => {
      const index = new Map<string, number>();
      const environments: unknown[] = [];
      const replays = fingerprints.map((fp, i) => {
        const { capturedAt, ...env } = fp;
        const key = JSON.stringify(env);
        let at = index.get(key);
        if (at === undefined) {
          at = environments.length;
          index.set(key, at);
          environments.push(check(EnvironmentSchema, env, [i], payload) ?? env);
        }
        check(CapturedAtSchema, capturedAt, [i, "capturedAt"], payload);
        return { environment: at, capturedAt };
      });
      return { environments, replays };
    },
  },
);
