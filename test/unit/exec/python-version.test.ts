import { describe, expect, it } from "vitest";
import { pythonSatisfies } from "../../../harness/exec/python-version.js";

describe("pythonSatisfies", () => {
  it.each([
    ["3.11", "3.11.2", true],
    ["3", "3.11.2", true],
    ["3.11.2", "3.11.2", true],
    ["3.11.4", "3.11.2", false],
    ["3.8", "3.11.2", false],
    ["3.8.10", "3.11.2", false],
    ["3.1", "3.11.2", false],
    ["3.11.*", "3.11.2", true],
    [">=3.9", "3.11.2", true],
    [">=3.9,<3.11", "3.11.2", false],
    ["<3.12", "3.11.2", true],
    ["~=3.10", "3.11.2", true],
    ["~=3.10.0", "3.11.2", false],
    ["==3.11", "3.11.2", true],
    ["!=3.11.*", "3.11.2", false],
    ["latest please", "3.11.2", false],
  ])("%s on %s -> %s", (req, act, want) => {
    expect(pythonSatisfies(req, act)).toBe(want);
  });
});
