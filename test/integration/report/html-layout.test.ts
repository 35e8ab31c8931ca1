// The HTML report's layout in real headless Chromium at the widths reviewers use:
// the verdict leads the header in the largest type, and no table column is
// clipped or scrolled out of its run card, even with a long reason.
// Screenshots go to $REPRO_AUDIT_SCREENSHOTS (default results/screenshots).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { ReplayRecord } from "../../../harness/drift/schema.js";
import { scoreAudit, scoreRun } from "../../../harness/drift/score.js";
import { DEFAULT_POLICY } from "../../../harness/drift/tolerance.js";
import { type Report, type ReportRun, runScoreParts } from "../../../harness/report/schema.js";
import { writeReport } from "../../../harness/report/write.js";
import { loadSampleReport } from "../../fixtures/report/hostile.js";

const CHROMIUM = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
const SHOTS = process.env.REPRO_AUDIT_SCREENSHOTS ?? join(import.meta.dirname, "../../../results/screenshots");
const rep = (metrics: Record<string, number>): ReplayRecord => ({ ok: true, metrics });
const LONG =
  " The reason goes on, naming every replay and interval it weighed, so that a reviewer can follow it without opening the JSON; it must wrap, never be clipped.".repeat(
    4,
  );

/** The sample's first run, re-scored as the optimistic original (inconclusive) with a long reason. */
function layoutReport(): Report {
  const doc = loadSampleReport();
  const base = doc.runs[0] as ReportRun;
  const score = scoreRun({
    runId: base.runId,
    original: { metrics: { rmse: 51.5, r2: 0.488, mae: 40.25, "val/very_long_metric_name_for_layout": 0.123456789 } },
    replays: [
      rep({ rmse: 53.1, r2: 0.466, mae: 41.5, "val/very_long_metric_name_for_layout": 0.1234 }),
      rep({ rmse: 55.0, r2: 0.45, mae: 42.75, "val/very_long_metric_name_for_layout": 0.1236 }),
      rep({ rmse: 58.9, r2: 0.43, mae: 44.0, "val/very_long_metric_name_for_layout": 0.1235 }),
    ],
    policy: DEFAULT_POLICY,
  });
  const parts = runScoreParts(score);
  parts.score.reason += LONG;
  for (const m of parts.metrics) m.reason += LONG;
  const run: ReportRun = { ...base, ...parts, histories: {} };
  return { ...doc, runs: [run], score: scoreAudit([{ ...score, reason: parts.score.reason }]) };
}

describe.skipIf(!haveChromium)("HTML report layout in headless Chromium", () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "repro-report-layout-"));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
    });
  });
  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const width of [1400, 1920]) {
    it(`at ${width} px: the verdict leads, and no column is clipped`, async () => {
      const paths = await writeReport(layoutReport(), dir);
      const context = await browser.newContext({ viewport: { width, height: 1000 }, javaScriptEnabled: true });
      try {
        const page = await context.newPage();
        await page.goto(pathToFileURL(paths.html).href, { waitUntil: "load" });
        mkdirSync(SHOTS, { recursive: true });
        await page.screenshot({ path: join(SHOTS, `report-layout-${width}.png`), fullPage: false });
        await page
          .locator("section.run")
          .first()
          .screenshot({ path: join(SHOTS, `report-run-card-${width}.png`) });
        const m = await page.evaluate(() => {
          const px = (el: Element | null) => (el ? Number.parseFloat(getComputedStyle(el).fontSize) : 0);
          const header = document.querySelector("header.top");
          const sizes = Array.from(header?.querySelectorAll("*") ?? [], (el) => px(el));
          const cards = Array.from(document.querySelectorAll("section.run"));
          const overflow = cards.map((c) => c.scrollWidth - c.clientWidth);
          const cells = cards.flatMap((c) => {
            const right = c.getBoundingClientRect().right;
            return Array.from(
              c.querySelectorAll("table.metrics td, table.metrics th"),
              (td) => td.getBoundingClientRect().right - right,
            );
          });
          // A number wrapped inside itself ("0.12345678" over "9") reads as two values.
          const brokenNumbers: string[] = [];
          for (const td of Array.from(document.querySelectorAll("table.metrics td.num"))) {
            const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
              const text = node.textContent ?? "";
              for (const m of text.matchAll(/\S+/g)) {
                const range = document.createRange();
                range.setStart(node, m.index);
                range.setEnd(node, m.index + m[0].length);
                if (range.getClientRects().length > 1) brokenNumbers.push(m[0]);
              }
            }
          }
          return {
            brokenNumbers,
            word: document.querySelector(".verdict-word")?.textContent ?? "",
            wordPx: px(document.querySelector(".verdict-word")),
            largestPx: Math.max(...sizes),
            reason: document.querySelector(".verdict-reason")?.textContent ?? "",
            overflow,
            cellOverrun: Math.max(...cells),
            reasonRows: document.querySelectorAll("table.metrics tr.why").length,
          };
        });
        expect(m.word).toBe("inconclusive");
        expect(m.wordPx).toBe(m.largestPx); // the verdict is the biggest thing in the header
        expect(m.reason).toMatch(/^Inconclusive: the original is better than every one of 3 replays/);
        expect(m.overflow, "run cards scrolling sideways").toEqual(m.overflow.map(() => 0));
        expect(m.cellOverrun).toBeLessThanOrEqual(0);
        expect(m.brokenNumbers, "numbers wrapped inside themselves").toEqual([]);
        expect(m.reasonRows).toBe(4);
      } finally {
        await context.close();
      }
    });
  }
});
