import { Tags } from "../tracking/tags.js";
import type { RecordedRun } from "./recorded-run.js";

// Where an MLproject's docker_env command runs, as `mlflow run` ran it. MLflow 3.x,
// mlflow/projects/docker.py `build_docker_image` and backend/local.py
// `_get_docker_command`:
// - `mlflow run --build-image`: MLflow builds `FROM <image>`, COPYs the project
//   folder to /mlflow/projects/code and sets `WORKDIR` there, so the command runs in
//   the project folder (whatever WORKDIR the image had). It records the image it
//   built in the image URI tag (`Tags.dockerImageUri`), `<project name>[:<commit7>]`
//   (`_get_docker_image_uri`).
// - without it (the default since MLflow 2): the image runs as it is, `docker run`
//   with no `-w` and no project volume, so the command runs in the image's own
//   working directory with the code the image holds; the image URI tag is the
//   MLproject's image itself.
// A replay's project folder is /code. A run that recorded no image URI was not run
// by MLflow's docker backend: it gets the project folder, the harness's default.

/** "image": the image's own working directory; absent from the plan: the project folder. */
export type DockerWorkdir = "project" | "image";

export function dockerWorkdir(
  run: Pick<RecordedRun, "tags">,
  image: string,
): { workdir: DockerWorkdir; note?: string } {
  const uri = run.tags[Tags.dockerImageUri];
  if (uri === undefined || uri === "") return { workdir: "project" };
  if (uri === image) {
    return {
      workdir: "image",
      note:
        `docker_env: the run's ${Tags.dockerImageUri} is the MLproject's image ${image}, so \`mlflow run\` ran it as it is (no --build-image): ` +
        "the command runs in the image's own working directory, with the code the image holds, as MLflow ran it; the checkout is at /code",
    };
  }
  return {
    workdir: "project",
    note: `docker_env: the run's ${Tags.dockerImageUri} is ${uri}, an image \`mlflow run --build-image\` built with the project in it: the command runs in the project folder (/code), as MLflow ran it in /mlflow/projects/code`,
  };
}
