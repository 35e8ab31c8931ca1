// The scan's vocabulary, in one place: the tracking features it counts and the
// hazard kinds it reports. The ids are stable (they are keys in the JSON document).

export const TRACKING_FEATURES = [
  "start_run",
  "log_param",
  "log_params",
  "log_metric",
  "log_metrics",
  "log_artifact",
  "log_artifacts",
  "log_input",
  "set_tag",
  "set_tags",
  "autolog",
  "log_model",
  "register_model",
] as const;
export type TrackingFeature = (typeof TRACKING_FEATURES)[number];

export const HAZARD_KINDS = ["unseeded-rng", "gpu-nondeterminism", "runtime-download", "unpinned-requirement"] as const;
export type HazardKind = (typeof HAZARD_KINDS)[number];

export const HAZARD_LABELS: Record<HazardKind, string> = {
  "unseeded-rng": "unseeded randomness",
  "gpu-nondeterminism": "nondeterministic GPU settings",
  "runtime-download": "data downloaded at run time",
  "unpinned-requirement": "unpinned requirement",
};
