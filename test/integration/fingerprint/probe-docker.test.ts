import { execFileSync, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseProbeOutput, probeCommand, probeScript, probeStdinCommand } from "../../../harness/fingerprint/probe.js";
import { REDACTED } from "../../../harness/fingerprint/redact.js";

/**
 * The probe inside a real container. No registry here, so it needs an image that is
 * already local: REPRO_PROBE_IMAGE, or the first local image that has python3.
 */
function findImage(): { image?: string; why: string } {
  const pinned = process.env["REPRO_PROBE_IMAGE"];
  if (pinned) return { image: pinned, why: "" };
  let listing: string;
  try {
    listing = execFileSync("docker", ["images", "--format", "{{.Repository}}:{{.Tag}}"], {
      encoding: "utf8",
      timeout: 15_000,
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (err) {
    return { why: `no Docker engine answers (${(err as Error).message.split("\n")[0]})` };
  }
  const images = listing
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.includes("<none>"))
    .slice(0, 5);
  for (const image of images) {
    const probe = spawnSync("docker", ["run", "--rm", "--network", "none", image, "python3", "-c", "pass"], {
      timeout: 30_000,
      stdio: "ignore",
    });
    if (probe.status === 0) return { image, why: "" };
  }
  return {
    why: `none of the ${images.length} local images has python3 (set REPRO_PROBE_IMAGE or build the base image)`,
  };
}

const { image, why } = findImage();
if (!image) console.warn(`[fingerprint] SKIPPING probe-in-container tests: ${why}`);

const HARDENED = [
  "--rm",
  "--network",
  "none",
  "--read-only",
  "--cap-drop",
  "ALL",
  "--security-opt",
  "no-new-privileges",
];

describe.skipIf(!image)(`probe inside a container (${image ?? "none"})`, () => {
  it("runs from stdin with secrets redacted inside the container", () => {
    const result = spawnSync(
      "docker",
      [
        "run",
        "-i",
        ...HARDENED,
        "--user",
        "65534:65534",
        "-e",
        "MY_API_TOKEN=abc-in-ctr",
        "-e",
        "MLFLOW_TRACKING_PASSWORD=pw-in-ctr",
        image!,
        ...probeStdinCommand(),
      ],
      { input: probeScript(), encoding: "utf8", timeout: 60_000 },
    );
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).not.toContain("abc-in-ctr");
    expect(result.stdout).not.toContain("pw-in-ctr");
    const fp = parseProbeOutput(result.stdout);
    expect(fp.env["MY_API_TOKEN"]).toBe(REDACTED);
    expect(fp.env["MLFLOW_TRACKING_PASSWORD"]).toBe(REDACTED);
    expect(fp.platform.system).toBe("Linux");
  });

  it("runs as the argv from probeCommand()", () => {
    const out = execFileSync("docker", ["run", ...HARDENED, image!, ...probeCommand()], {
      encoding: "utf8",
      timeout: 60_000,
    });
    const fp = parseProbeOutput(out);
    expect(fp.python.version).toMatch(/^3\./);
    expect(fp.cpuCount).toBeGreaterThan(0);
  });
});
