import type Docker from "dockerode";
import { docker, engineEndpoint } from "./engine.js";

export interface NamedImage {
  /** sha256:... — what the replay is pinned to. */
  imageId: string;
  requested: string;
  repoTags: string[];
  repoDigests: string[];
  /** its WORKDIR, "" when it sets none */
  workingDir: string;
}

/**
 * An MLproject docker_env image is used as named: resolved locally by name, ID or digest to the
 * image ID the replay will record. Nothing is pulled (no registry is assumed), so an absent
 * image is an error that says how to provide it.
 */
export async function resolveNamedImage(name: string, client: Docker = docker()): Promise<NamedImage> {
  try {
    const info = await client.getImage(name).inspect();
    return {
      imageId: info.Id,
      requested: name,
      repoTags: info.RepoTags ?? [],
      repoDigests: info.RepoDigests ?? [],
      workingDir: info.Config?.WorkingDir ?? "",
    };
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) {
      throw new Error(
        `The MLproject's docker_env image ${JSON.stringify(name)} is not present in the engine at ${engineEndpoint()}, ` +
          `and repro-audit never pulls images. Provide it locally first (docker load -i image.tar, or docker build -t ${name} .), then retry.`,
      );
    }
    throw err;
  }
}
