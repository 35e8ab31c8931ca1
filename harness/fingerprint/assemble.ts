import type { ExecutorKind } from "../exec/executors.js";
import {
  FingerprintSchema,
  type ContainerFingerprint,
  type Fingerprint,
  type HostFingerprint,
  type CodeFingerprint,
} from "./schema.js";

export interface FingerprintParts {
  executor: ExecutorKind;
  host?: HostFingerprint | undefined;
  container?: ContainerFingerprint | undefined;
  code?: CodeFingerprint | undefined;
  imageId?: string | undefined;
  /** Defaults to now; injectable so callers with their own clock stay deterministic. */
  capturedAt?: Date;
}

/** Put captured parts together into one validated Fingerprint (absent parts are left out, not nulled). */
export function assembleFingerprint(parts: FingerprintParts): Fingerprint {
  const fp: Fingerprint = {
    executor: parts.executor,
    capturedAt: (parts.capturedAt ?? new Date()).toISOString(),
  };
  if (parts.host) fp.host = parts.host;
  if (parts.container) fp.container = parts.container;
  if (parts.code) fp.code = parts.code;
  if (parts.imageId) fp.imageId = parts.imageId;
  return FingerprintSchema.parse(fp);
}
