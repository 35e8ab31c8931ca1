import type Docker from "dockerode";

// The pinned image on every engine of an audit: prepared (resolved or built) on the
// first, then made present on the others by ID, so every replay runs in the same
// image whichever engine runs it. Copied with the engine's own save and load (what
// `docker save | docker load` does), only where that ID is missing; never pulled, and
// never built twice (a build elsewhere could give another ID).

async function hasImage(client: Docker, imageId: string): Promise<boolean> {
  try {
    await client.getImage(imageId).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

/** Makes `imageId` present on `to`, from `from`; "present" when it already was. Throws when the copy has another ID. */
export async function ensureImageOn(from: Docker, to: Docker, imageId: string): Promise<"present" | "copied"> {
  if (await hasImage(to, imageId)) return "present";
  const tar = await from.getImage(imageId).get();
  const loading = await to.loadImage(tar, { quiet: true });
  await new Promise<void>((resolve, reject) =>
    to.modem.followProgress(loading, (err: Error | null) => (err ? reject(err) : resolve())),
  );
  // An image saved by ID loads untagged under the same content-addressed ID; anything else is not the pinned image.
  if (!(await hasImage(to, imageId)))
    throw new Error(`loading the image ${imageId.slice(0, 19)} did not give that ID on the other engine`);
  return "copied";
}
