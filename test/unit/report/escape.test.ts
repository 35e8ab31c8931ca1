import { describe, expect, it } from "vitest";

import {
  escapeHtml,
  escapeMarkdown,
  escapeXml,
  makeControlsVisible,
  markdownCode,
  markdownFence,
} from "../../../harness/report/escape.js";
import { renderHtml } from "../../../harness/report/html.js";
import { renderJunit } from "../../../harness/report/junit.js";
import { renderMarkdown } from "../../../harness/report/markdown.js";
import { HOSTILE_METRIC, HOSTILE_RUN_NAME, PAYLOADS, hostileReport } from "../../fixtures/report/hostile.js";

// XML 1.0 forbids these even as character references.
// eslint-disable-next-line no-control-regex
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

describe("escapeHtml", () => {
  it("turns markup into text", () => {
    expect(escapeHtml("<script>alert(1)</script>")).toBe("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(escapeHtml(`"><img src=x onerror=alert(1)>`)).toBe("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
  });

  it("escapes both quote kinds so attribute values cannot be closed", () => {
    expect(escapeHtml(`' onmouseover='x`)).toBe("&#39; onmouseover=&#39;x");
    expect(escapeHtml(`" onmouseover="x`)).toBe("&quot; onmouseover=&quot;x");
    expect(escapeHtml("a&b")).toBe("a&amp;b");
    expect(escapeHtml("&lt;")).toBe("&amp;lt;");
  });

  it("shows control characters, bidi overrides and lone surrogates instead of passing them on", () => {
    expect(escapeHtml("a\u0000b\u0007c\u001bd")).toBe("a\\x00b\\x07c\\x1bd");
    expect(escapeHtml("x\u202Ey")).toBe("x\\u{202E}y");
    expect(escapeHtml("bad\uD800")).toBe("bad\uFFFD");
    expect(escapeHtml("ok \u{1F600} tab\tnl\n")).toBe("ok \u{1F600} tab\tnl\n");
  });

  it("stringifies non-strings", () => {
    expect(escapeHtml(42)).toBe("42");
    expect(escapeHtml(null)).toBe("null");
  });
});

describe("escapeXml", () => {
  it("cannot end a CDATA section or open markup", () => {
    const out = escapeXml(PAYLOADS.cdata);
    expect(out).not.toContain("]]>");
    expect(out).not.toContain("<");
    expect(out).toBe("]]&gt;&lt;x&gt;&amp;amp;&lt;/x&gt;&lt;![CDATA[");
  });

  it("never emits characters XML 1.0 forbids, and keeps line breaks in attributes", () => {
    const out = escapeXml(PAYLOADS.controls);
    expect(out).not.toMatch(XML_FORBIDDEN);
    expect(out).toContain("ctl\\x00\\x07\\x1b[31m\\x08\\x0b\\x0c\\x7f");
    expect(escapeXml("a\nb\tc\rd")).toBe("a&#10;b&#9;c&#13;d");
  });
});

describe("Markdown escaping", () => {
  it("cannot form links, images, HTML, emphasis or table cells", () => {
    expect(escapeMarkdown("[click](javascript:alert(1))")).toBe("\\[click\\](javascript:alert(1))");
    expect(escapeMarkdown("![i](http://x/y.png)")).toBe("\\!\\[i\\](http://x/y.png)");
    expect(escapeMarkdown("<script>x</script>")).toBe("\\<script\\>x\\</script\\>");
    expect(escapeMarkdown("*a* _b_ ~c~ `d` a|b")).toBe("\\*a\\* \\_b\\_ \\~c\\~ \\`d\\` a\\|b");
    expect(escapeMarkdown("&lt;")).toBe("\\&lt;");
    expect(escapeMarkdown("# h\n- x")).toBe("\\# h - x");
    expect(escapeMarkdown("back\\slash")).toBe("back\\\\slash");
  });

  it("makes code spans whose fence the content cannot close", () => {
    expect(markdownCode("plain")).toBe("`plain`");
    expect(markdownCode("a`b")).toBe("``a`b``");
    expect(markdownCode("``x")).toBe("``` ``x ```");
    expect(markdownCode("line\nbreak")).toBe("`line break`");
    expect(markdownCode("")).toBe("` `");
  });

  it("makes fences longer than any backtick run inside", () => {
    expect(markdownFence("a\n```\nb")).toBe("````text\na\n```\nb\n````");
    expect(markdownFence("plain\n\n", "sh")).toBe("```sh\nplain\n```");
    expect(markdownFence("x\u0000y")).toBe("```text\nx\\x00y\n```");
  });

  it("makeControlsVisible leaves ordinary text alone", () => {
    expect(makeControlsVisible("héllo wörld ✓")).toBe("héllo wörld ✓");
  });
});

/** Removes fenced blocks and code spans, where nothing is interpreted (an escaped \` opens no span). */
function outsideCode(md: string): string {
  return md.replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1$/gm, "").replace(/(?<![\\`])(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, "");
}

describe("renderers on a report full of hostile strings", () => {
  const doc = hostileReport();

  it("HTML holds only the tags the renderer writes and no event handlers", () => {
    const out = renderHtml(doc);
    const tags = new Set(Array.from(out.matchAll(/<\/?([a-zA-Z][\w-]*)/g), (m) => (m[1] ?? "").toLowerCase()));
    const allowed = new Set([
      "html",
      "head",
      "meta",
      "title",
      "style",
      "body",
      "header",
      "div",
      "h1",
      "h2",
      "h3",
      "code",
      "span",
      "small",
      "table",
      "thead",
      "tbody",
      "tr",
      "th",
      "td",
      "a",
      "p",
      "strong",
      "em",
      "ul",
      "li",
      "section",
      "figure",
      "figcaption",
      "svg",
      "rect",
      "line",
      "text",
      "circle",
      "g",
      "path",
      "polyline",
      "pre",
      "details",
      "summary",
      "footer",
    ]);
    for (const tag of tags) expect(allowed, `unexpected tag <${tag}>`).toContain(tag);
    expect(out).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
    expect(out).not.toMatch(/(href|src)\s*=\s*"(?!#run-\d+")/i);
    // The text is still there, escaped.
    expect(out).toContain(escapeHtml(HOSTILE_RUN_NAME));
    expect(out).toContain(escapeHtml(HOSTILE_METRIC));
  });

  it("HTML writes no NaN or Infinity into SVG attributes", () => {
    const out = renderHtml(doc);
    expect(out).not.toMatch(/="[^"]*(NaN|Infinity)[^"]*"/);
  });

  it("Markdown has no live HTML or link syntax outside code", () => {
    // The only raw HTML is the renderer's own fixed folding and line-break tags.
    const out = outsideCode(renderMarkdown(doc)).replace(/<\/?(details|summary)>|<details open>|<br>/g, "");
    expect(out).not.toMatch(/(?<!\\)</);
    expect(out).not.toMatch(/(?<!\\)\[/);
    expect(out).toContain("\\<script\\>window.\\_\\_pwned");
  });

  it("JUnit has no forbidden characters and no markup from the server", () => {
    const out = renderJunit(doc);
    expect(out).not.toMatch(XML_FORBIDDEN);
    expect(out).not.toContain("<script");
    expect(out).not.toContain("]]>");
    const tags = new Set(Array.from(out.matchAll(/<\/?([a-zA-Z][\w-]*)/g), (m) => m[1]));
    expect([...tags].sort()).toEqual([
      "error",
      "failure",
      "properties",
      "property",
      "system-out",
      "testcase",
      "testsuite",
      "testsuites",
    ]);
  });
});
