// Opens a rendered report in real headless Chromium (Debian's build, driven by
// playwright-core) and proves that hostile strings from a tracking server neither
// execute nor fetch anything, and show up as plain text. Also takes the screenshot
// the note links to (results/screenshots/report-html.png).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { REPORT_CSP } from "../../../harness/report/html.js";
import { writeReport } from "../../../harness/report/write.js";
import {
  HOSTILE_METRIC,
  HOSTILE_RUN_NAME,
  PAYLOADS,
  hostileReport,
  loadSampleReport,
} from "../../fixtures/report/hostile.js";

const CHROMIUM = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(
    `\n*** SKIPPING the HTML report Chromium test: ${CHROMIUM} not found. Run scripts/ensure-chromium.sh (apt-get install chromium) to enable it. ***\n`,
  );
}

const ROOT = join(import.meta.dirname, "../../..");
const SCREENSHOTS = join(ROOT, "results/screenshots");

interface Observed {
  requests: string[];
  dialogs: string[];
  console: string[];
  pageErrors: string[];
  bindingCalls: string[];
}

describe.skipIf(!haveChromium)("HTML report in headless Chromium", () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "repro-report-html-"));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(htmlPath: string, screenshot: string) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: true });
    const seen: Observed = { requests: [], dialogs: [], console: [], pageErrors: [], bindingCalls: [] };
    const url = pathToFileURL(htmlPath).href;
    // Any request other than the report itself is a failure; abort it so nothing leaves the machine.
    await context.route("**/*", (route) => {
      const u = route.request().url();
      if (u === url) return route.continue();
      seen.requests.push(u);
      return route.abort();
    });
    await context.exposeBinding("__pwnedBinding", (_source, what: unknown) => {
      seen.bindingCalls.push(String(what));
    });
    const page = await context.newPage();
    page.on("request", (req) => {
      if (req.url() !== url && !seen.requests.includes(req.url())) seen.requests.push(req.url());
    });
    page.on("dialog", (d) => {
      seen.dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss();
    });
    page.on("console", (m) => seen.console.push(`${m.type()}: ${m.text()}`));
    page.on("pageerror", (e) => seen.pageErrors.push(e.message));
    await page.goto(url, { waitUntil: "load" });
    // Give a meta refresh, a delayed onerror or a lazy image time to fire.
    await page.waitForTimeout(1500);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(SCREENSHOTS, screenshot), fullPage: true });
    return { page, context, seen, url };
  }

  it("runs nothing, fetches nothing, and shows hostile strings as text", async () => {
    const paths = await writeReport(hostileReport(), dir);
    const { page, context, seen, url } = await open(paths.html, "report-html.png");
    try {
      const dom = await page.evaluate(() => {
        const w = window as unknown as { __pwned?: unknown };
        const all = Array.from(document.querySelectorAll("*"));
        return {
          pwned: w.__pwned,
          scripts: document.querySelectorAll("script").length,
          handlers: all.flatMap((el) =>
            el
              .getAttributeNames()
              .filter((a) => a.toLowerCase().startsWith("on"))
              .map((a) => `${el.tagName}@${a}`),
          ),
          loaders: document.querySelectorAll(
            "img, iframe, object, embed, link, base, form, video, audio, source, frame",
          ).length,
          metaRefresh: document.querySelectorAll('meta[http-equiv="refresh" i]').length,
          hrefs: Array.from(document.querySelectorAll("[href]"), (el) => el.getAttribute("href") ?? ""),
          styles: document.querySelectorAll("style").length,
          csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute("content"),
          title: document.title,
          runHeading: document.querySelector("#run-0 h2")?.textContent ?? "",
          // biome-ignore lint/performance/useDomNodeTextContent: the text as rendered (CSS applied) is what a reader sees
          text: document.body.innerText,
        };
      });

      expect(seen.dialogs).toEqual([]);
      expect(seen.bindingCalls).toEqual([]);
      expect(seen.pageErrors).toEqual([]);
      expect(seen.console).toEqual([]);
      expect(seen.requests).toEqual([]);
      expect(page.url()).toBe(url);
      expect(dom.pwned).toBeUndefined();
      expect(dom.scripts).toBe(0);
      expect(dom.handlers).toEqual([]);
      expect(dom.loaders).toBe(0);
      expect(dom.metaRefresh).toBe(0);
      expect(dom.styles).toBe(1);
      expect(dom.hrefs.length).toBeGreaterThan(0);
      for (const href of dom.hrefs) expect(href).toMatch(/^#run-\d+$/);
      expect(dom.csp).toBe(REPORT_CSP);

      // The payloads are on the page as the literal text the server sent.
      expect(dom.runHeading).toContain(HOSTILE_RUN_NAME);
      expect(dom.text).toContain(HOSTILE_METRIC);
      expect(dom.text).toContain(PAYLOADS.fetchers);
      expect(dom.text).toContain(PAYLOADS.mdLink);
      expect(dom.text).toContain(PAYLOADS.metaRefresh);
      expect(dom.text).toContain(PAYLOADS.cdata);
      expect(dom.title).toContain("hostile-audit");
      // Control characters and bidi overrides are shown, not obeyed.
      expect(dom.text).toContain("ctl\\x00\\x07\\x1b[31m");
      expect(dom.text).toContain("\\u{202E}evil");

      // The JUnit file of the same report is well-formed XML to a real parser, and its
      // names read back as the server's strings.
      const junit = readFileSync(paths.junit, "utf8");
      const parsed = await page.evaluate((xml) => {
        const d = new DOMParser().parseFromString(xml, "application/xml");
        return {
          error: d.querySelector("parsererror")?.textContent ?? null,
          suites: Array.from(d.querySelectorAll("testsuite"), (e) => e.getAttribute("name")),
          cases: Array.from(d.querySelectorAll("testcase"), (e) => e.getAttribute("name")),
        };
      }, junit);
      expect(parsed.error).toBeNull();
      expect(parsed.suites[0]).toBe(HOSTILE_RUN_NAME);
      expect(parsed.cases).toContain(`${HOSTILE_RUN_NAME}.${HOSTILE_METRIC}`);
      expect(parsed.suites[1]).toContain("]]><x>&amp;</x><![CDATA[ctl\\x00");
    } finally {
      await context.close();
    }
  });

  it("has detectors that do catch a page that executes and fetches (negative control)", async () => {
    // Without this, a broken detector (a listener never attached) would pass the test above.
    const unsafe = join(dir, "unsafe.html");
    writeFileSync(
      unsafe,
      `<!DOCTYPE html><title>unsafe</title><body>${PAYLOADS.script}${PAYLOADS.imgOnerror}<img src="http://127.0.0.1:9/beacon.png"></body>`,
    );
    const { page, context, seen } = await open(unsafe, "unsafe-control.png");
    try {
      expect(seen.bindingCalls).toEqual(expect.arrayContaining(["script", "img"]));
      expect(seen.dialogs.length).toBeGreaterThan(0);
      expect(seen.requests).toContain("http://127.0.0.1:9/beacon.png");
      expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeDefined();
    } finally {
      await context.close();
      rmSync(join(SCREENSHOTS, "unsafe-control.png"), { force: true });
    }
  });

  it("renders the sample report cleanly (second screenshot for review)", async () => {
    const paths = await writeReport(loadSampleReport(), dir);
    const { page, context, seen } = await open(paths.html, "report-html-sample.png");
    try {
      expect(seen.requests).toEqual([]);
      expect(seen.pageErrors).toEqual([]);
      const counts = await page.evaluate(() => ({
        svgs: document.querySelectorAll("svg.plot").length,
        dots: document.querySelectorAll("svg circle.dot").length,
        lines: document.querySelectorAll("svg polyline").length,
        badges: document.querySelectorAll(".badge").length,
      }));
      // 2 + 3 metric plots and 1 history plot; 3 + 3 + 2 + 1 + 2 finite replay dots; 1 original + 3 replay lines.
      expect(counts.svgs).toBe(6);
      expect(counts.dots).toBe(11);
      expect(counts.lines).toBe(4);
      expect(counts.badges).toBeGreaterThan(10);
    } finally {
      await context.close();
    }
  });
});
