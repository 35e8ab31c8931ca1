import { test } from "vitest";
import { parsePyYaml } from "../../../harness/plan/pyyaml.js";
test("x", () => { console.log(parsePyYaml("a: 1.0\nb: 42\nc: 1e-3\nd: 1.0e-3\nl: .inf\nm: 1.0e+3\nn: -5\no: '1.5'\n", "x")); });
