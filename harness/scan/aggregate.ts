import type { ScanDocument, ScanProject } from "./document.js";
import { HAZARD_KINDS, TRACKING_FEATURES } from "./kinds.js";

// Over many projects: how many use each tracking feature and show each hazard, as
// a count and a share (the figures a study of tracking practice reports). PURE.

const share = (n: number, of: number) => ({ projects: n, share: of === 0 ? 0 : n / of });

export function aggregateProjects(projects: readonly ScanProject[]): ScanDocument["aggregate"] {
  const count = (pred: (p: ScanProject) => boolean) => projects.filter(pred).length;
  return {
    projects: projects.length,
    withTracking: share(
      count((p) => p.features.length > 0),
      projects.length,
    ),
    withHazards: share(
      count((p) => p.hazards.length > 0),
      projects.length,
    ),
    features: TRACKING_FEATURES.map((feature) => ({
      feature,
      ...share(
        count((p) => p.features.some((f) => f.feature === feature)),
        projects.length,
      ),
    })),
    hazards: HAZARD_KINDS.map((kind) => ({
      kind,
      ...share(
        count((p) => p.hazards.some((h) => h.kind === kind)),
        projects.length,
      ),
    })),
  };
}
