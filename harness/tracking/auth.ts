// Credentials as MLflow's clients read them: a bearer token wins over basic auth, as in
// mlflow.utils.rest_utils. Nothing here is ever logged or put in an error message.

export interface Credentials {
  token?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
}

export function authorizationHeader(creds: Credentials): string | undefined {
  if (creds.token) return `Bearer ${creds.token}`;
  if (creds.username !== undefined && creds.password !== undefined) {
    return `Basic ${Buffer.from(`${creds.username}:${creds.password}`, "utf8").toString("base64")}`;
  }
  return undefined;
}
