// Where a reviewer opens a published report. Pure: string work on the tracking URI.
//
// On an http(s) tracking server the link is MLflow's own UI page of the run's
// artifact (`<server>/#/experiments/<exp>/runs/<run>/artifacts/<path>`, the route
// MLflow's UI builds in getRunPageRoute): it opens the run with the HTML report
// selected and previewed, one click from a model version's description or a
// copied tag value, and it needs no access to the artifact store behind the
// server. Any other tracking URI (a local folder, databricks://) has no UI address
// the harness can know, so the artifact path is kept: it still says where to look.

/**
 * The link to `artifactPath` of a run: MLflow's UI URL on an http(s) server, else
 * the artifact path itself. Never carries credentials, a query or a fragment of
 * the tracking URI (a token may sit in either).
 */
export function reportLink(
  trackingUri: string,
  run: { experimentId: string; runId: string },
  artifactPath: string,
): string {
  let url: URL;
  try {
    url = new URL(trackingUri);
  } catch {
    return artifactPath;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return artifactPath;
  const base = `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
  const path = artifactPath.split("/").map(encodeURIComponent).join("/");
  return `${base}/#/experiments/${encodeURIComponent(run.experimentId)}/runs/${encodeURIComponent(run.runId)}/artifacts/${path}`;
}

/** Whether a link is an http(s) URL (one Markdown may render as a link). */
export function isWebLink(link: string): boolean {
  return /^https?:\/\//i.test(link);
}
