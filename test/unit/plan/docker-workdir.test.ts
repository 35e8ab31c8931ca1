import { describe, expect, it } from "vitest";
import { replayWorkdir } from "../../../harness/audit/replay-runner.js";
import { parseMlProject } from "../../../harness/plan/mlproject.js";
import { type PlanInput, buildPlan } from "../../../harness/plan/plan.js";

// Where a docker_env project's command runs, as `mlflow run` ran it
// (mlflow/projects/docker.py, build_docker_image): with --build-image MLflow copies
// the project folder into the image and runs there (the replay's /code); without it
// the image runs as it is, in its own WORKDIR. The run's mlflow.docker.image.uri
// tells the two apart: the MLproject's image itself, or the image MLflow built.

const IMAGE = "acme/trainer:2";
const project = parseMlProject(
  `docker_env:\n  image: ${IMAGE}\nentry_points:\n  main: {command: "python wine.py"}\n`,
  "MLproject",
);

function plan(tags: Record<string, string>) {
  const input: PlanInput = {
    run: {
      runId: "r1",
      experimentId: "1",
      params: {},
      tags: { "mlflow.project.entryPoint": "main", ...tags },
      metrics: { r2: 0.5 },
    },
    project,
    environment: { source: "docker_env", requirements: [], dockerImage: IMAGE },
    code: { source: "checkout", path: "/tmp/checkout/project", commit: "abc", diffAvailable: false },
  };
  return buildPlan(input);
}

const image = (workingDir: string) => ({ imageId: "sha256:1", built: false, seconds: 0, mismatches: [], workingDir });

describe("docker_env working directory", () => {
  it("`mlflow run` without --build-image (the image URI is the MLproject's image): the image's own WORKDIR", () => {
    const p = plan({ "mlflow.docker.image.uri": IMAGE, "mlflow.docker.image.id": "sha256:1" });
    expect(p.environment.dockerWorkdir).toBe("image");
    expect(p.notes.join("\n")).toMatch(/no --build-image.*image's own working directory/);
    expect(replayWorkdir(p, image("/app"))).toBe("/app");
    // An image without WORKDIR runs in /, as `docker run` does.
    expect(replayWorkdir(p, image(""))).toBe("/");
  });

  it("`mlflow run --build-image` (MLflow built <project>:<commit>): the project folder, /code", () => {
    const p = plan({ "mlflow.docker.image.uri": "docker-workdir:abc1234", "mlflow.docker.image.id": "sha256:2" });
    expect(p.environment.dockerWorkdir).toBeUndefined();
    expect(p.notes.join("\n")).toMatch(/--build-image.*project folder \(\/code\)/);
    expect(replayWorkdir(p, image("/app"))).toBe("/code");
  });

  it("no image recorded (not run by MLflow's docker backend): the project folder", () => {
    const p = plan({});
    expect(p.environment.dockerWorkdir).toBeUndefined();
    expect(replayWorkdir(p, image("/app"))).toBe("/code");
    // Without an image (the local executor) there is no WORKDIR to run in.
    expect(replayWorkdir(plan({ "mlflow.docker.image.uri": IMAGE }), undefined)).toBe("/code");
  });
});
