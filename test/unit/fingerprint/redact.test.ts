import { describe, expect, it } from "vitest";
import {
  REDACTED,
  isSecretName,
  redactEnv,
  redactText,
  stripUrlCredentials,
} from "../../../harness/fingerprint/redact.js";

describe("isSecretName", () => {
  it.each([
    "MY_API_TOKEN",
    "MLFLOW_TRACKING_TOKEN",
    "MLFLOW_TRACKING_PASSWORD",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "DB_PASSWD",
    "DB_PASS",
    "GH_PAT",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "HTTP_AUTHORIZATION",
    "SESSION_COOKIE",
    "SSH_PRIVATE_KEY",
    "SENTRY_DSN",
    "AZURE_STORAGE_CONNECTION_STRING",
    "github_token",
    "Mlflow_Tracking_Password",
  ])("treats %s as secret", (name) => {
    expect(isSecretName(name)).toBe(true);
  });

  it.each([
    "PATH",
    "PWD",
    "OLDPWD",
    "HOME",
    "LANG",
    "OMP_NUM_THREADS",
    "PYTHONHASHSEED",
    "MLFLOW_TRACKING_URI",
    "PATHEXT",
  ])("keeps %s", (name) => {
    expect(isSecretName(name)).toBe(false);
  });
});

describe("stripUrlCredentials", () => {
  it("drops user:password from https URLs", () => {
    expect(stripUrlCredentials("https://alice:s3cr3t@git.example.com/org/repo.git")).toBe(
      "https://git.example.com/org/repo.git",
    );
  });

  it("drops a bare token used as the user name", () => {
    expect(stripUrlCredentials("https://ghp_abcdef123@github.com/org/repo")).toBe("https://github.com/org/repo");
  });

  it("keeps an ssh login name but not an ssh password", () => {
    expect(stripUrlCredentials("ssh://git@github.com/org/repo.git")).toBe("ssh://git@github.com/org/repo.git");
    expect(stripUrlCredentials("ssh://git:hunter2@host/repo.git")).toBe("ssh://host/repo.git");
  });

  it("leaves scp-style remotes and plain values alone", () => {
    expect(stripUrlCredentials("git@github.com:org/repo.git")).toBe("git@github.com:org/repo.git");
    expect(stripUrlCredentials("/usr/bin:/bin")).toBe("/usr/bin:/bin");
    expect(stripUrlCredentials("user@example.com")).toBe("user@example.com");
  });

  it("redacts secret-named query parameters and keeps the others", () => {
    expect(stripUrlCredentials("https://gitlab.example/x.git?private_token=abc&ref=main")).toBe(
      `https://gitlab.example/x.git?private_token=${REDACTED}&ref=main`,
    );
  });

  it("cleans every URL inside a longer value", () => {
    const out = stripUrlCredentials("primary=postgres://u:pw1@db1/x,replica=postgres://u:pw2@db2/x");
    expect(out).toBe("primary=postgres://db1/x,replica=postgres://db2/x");
  });
});

describe("redactEnv", () => {
  it("redacts secret names, strips URL credentials elsewhere, sorts keys", () => {
    const out = redactEnv({
      PATH: "/usr/bin",
      MY_API_TOKEN: "abc",
      MLFLOW_TRACKING_PASSWORD: "pw",
      MLFLOW_TRACKING_URI: "https://bob:pw3@mlflow.example",
      UNSET: undefined,
    });
    expect(out).toEqual({
      MLFLOW_TRACKING_PASSWORD: REDACTED,
      MLFLOW_TRACKING_URI: "https://mlflow.example",
      MY_API_TOKEN: REDACTED,
      PATH: "/usr/bin",
    });
    expect(Object.keys(out)).toEqual([...Object.keys(out)].sort());
    const text = JSON.stringify(out);
    for (const secret of ["abc", '"pw"', "pw3"]) expect(text).not.toContain(secret);
  });
});

describe("redactText", () => {
  it("replaces every occurrence of each secret value, longest first, and strips URL credentials", () => {
    const out = redactText("token=abcd1234 again abcd1234; prefix abcd12345678\nhttp://u:pw@host/x ok", [
      "abcd1234",
      "abcd12345678",
    ]);
    expect(out).toBe(`token=${REDACTED} again ${REDACTED}; prefix ${REDACTED}\nhttp://host/x ok`);
  });
  it("leaves values shorter than 4 characters alone", () => {
    expect(redactText("a 1 b 1", ["1"])).toBe("a 1 b 1");
  });
});
