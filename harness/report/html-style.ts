// The report's stylesheet, inlined (the CSP allows inline styles and nothing else
// external). System fonts only: the file must render offline and fetch nothing.
export const REPORT_CSS = `
:root {
  --fg: #1d2433; --muted: #5b6475; --line: #dfe3ea; --bg: #f6f7f9; --card: #ffffff;
  --ok: #137333; --ok-bg: #e6f4ea; --warn: #8a5a00; --warn-bg: #fef3d6;
  --bad: #b3261e; --bad-bg: #fce8e6; --fail: #6b1f8a; --fail-bg: #f3e8fd;
  --info: #1a56a8; --info-bg: #e8f0fe; --neutral-bg: #eceff3; --unk: #3c4a63; --unk-bg: #e3e8f2;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace;
}
* { box-sizing: border-box; }
html { background: var(--bg); }
body { margin: 0 auto; max-width: 1480px; padding: 28px 28px 64px; color: var(--fg);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
h1 { font-size: 24px; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 19px; margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 24px 0 8px; color: #2a3142; }
p { margin: 6px 0; }
code, pre, .mono { font-family: var(--mono); font-size: 12.5px; }
code { background: var(--neutral-bg); padding: 1px 5px; border-radius: 4px; overflow-wrap: anywhere; }
pre { background: #1e2330; color: #e6e9ef; padding: 12px 14px; border-radius: 8px; overflow: auto; max-height: 420px;
  white-space: pre-wrap; overflow-wrap: anywhere; margin: 8px 0; }
a { color: var(--info); text-decoration: none; }
a:hover { text-decoration: underline; }
header.top { display: flex; justify-content: space-between; align-items: flex-start; gap: 24px; flex-wrap: wrap;
  background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 20px 24px; }
header.top .meta { color: var(--muted); font-size: 13px; }
header.top { border-left-width: 8px; }
header.top.v-reproduced { border-left-color: var(--ok); }
header.top.v-consistent_with_variance, header.top.v-incomplete { border-left-color: #e0a100; }
header.top.v-inconclusive, header.top.v-empty { border-left-color: var(--unk); }
header.top.v-not_reproduced { border-left-color: var(--bad); }
header.top.v-failed { border-left-color: var(--fail); }
.verdict-lead { flex: 1 1 420px; min-width: 0; }
.verdict-word { font-size: 30px; font-weight: 750; line-height: 1.15; letter-spacing: -0.01em; }
.v-reproduced .verdict-word { color: var(--ok); }
.v-consistent_with_variance .verdict-word, .v-incomplete .verdict-word { color: var(--warn); }
.v-inconclusive .verdict-word, .v-empty .verdict-word { color: var(--unk); }
.v-not_reproduced .verdict-word { color: var(--bad); }
.v-failed .verdict-word { color: var(--fail); }
.verdict-reason { font-size: 15px; margin: 8px 0 0; overflow-wrap: anywhere; }
.top-meta { flex: 0 1 420px; min-width: 0; }
.top-meta h1 { font-size: 16px; }
.run-reason { font-size: 14.5px; overflow-wrap: anywhere; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; margin: 16px 0 4px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; }
.card .n { font-size: 22px; font-weight: 700; }
.card .l { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em; }
section.run { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 4px 24px 20px; margin-top: 28px;
  overflow-x: auto; }
section.run > h2 { border-bottom: none; display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
.sub { color: var(--muted); font-size: 13px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 4px; background: var(--card); font-size: 13px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
th { white-space: nowrap; background: #f0f2f6; font-weight: 600; color: #384052; font-size: 12px; text-transform: uppercase; letter-spacing: 0.03em; }
td.name { min-width: 11em; }
td.nowrap { white-space: nowrap; overflow-wrap: normal; }
table.metrics tr.metric td { border-bottom: none; }
table.metrics tr.why td { padding-top: 0; color: #2a3142; overflow-wrap: anywhere; white-space: normal; }
/* Numbers may wrap between value and change, badges between words: nothing in this
   table may push it past its card (the old Reason column was clipped at 1400 px).
   A number itself never breaks: "0.12345678" over "9" would read as two values. */
table.metrics td.name { min-width: 7em; }
table.metrics td.num { white-space: normal; overflow-wrap: normal; }
table.metrics td.replays div { white-space: nowrap; }
table.metrics .badge { white-space: normal; }
table.metrics .chg { color: var(--muted); }
table.metrics td.rank { font-size: 12.5px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; font-family: var(--mono); font-size: 12.5px; white-space: nowrap; }
tr.differs td { background: #fffaf0; }
.badge { display: inline-block; padding: 2px 9px; border-radius: 999px; font-size: 12px; font-weight: 600; white-space: nowrap;
  border: 1px solid transparent; }
.badge.big { font-size: 15px; padding: 4px 14px; }
.b-identical, .b-equivalent, .b-reproduced, .b-ok, .b-present { color: var(--ok); background: var(--ok-bg); border-color: #b7dfc3; }
.b-varies, .b-consistent_with_variance, .b-partial, .b-skipped, .b-incomplete, .b-infrastructure { color: var(--warn); background: var(--warn-bg); border-color: #f3d88f; }
.b-not_reproduced, .b-missing, .b-outside { color: var(--bad); background: var(--bad-bg); border-color: #f4b8b2; }
.b-failed, .b-timeout, .b-oom { color: var(--fail); background: var(--fail-bg); border-color: #dcc1f2; }
.b-inconclusive { color: var(--unk); background: var(--unk-bg); border-color: #c3cbdb; }
.b-not_applicable, .b-empty, .b-neutral { color: var(--muted); background: var(--neutral-bg); border-color: var(--line); }
.flag-yes { color: var(--ok); } .flag-no { color: var(--bad); }
.plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 14px; }
figure { margin: 0; background: #fbfcfd; border: 1px solid var(--line); border-radius: 10px; padding: 10px 10px 6px; }
figcaption { font-size: 12.5px; color: var(--muted); margin-top: 2px; display: flex; justify-content: space-between; gap: 8px; }
figcaption .name { color: var(--fg); font-weight: 600; overflow-wrap: anywhere; }
svg.plot { width: 100%; height: auto; display: block; }
svg .frame { fill: #ffffff; stroke: var(--line); }
svg .grid { stroke: #eef0f4; }
svg .tick, svg .axis { font: 10.5px var(--mono); fill: var(--muted); }
svg .axis, svg .note { font-family: system-ui, sans-serif; }
svg .note { font-size: 10.5px; fill: var(--muted); font-style: italic; }
svg .empty { font: 12px system-ui, sans-serif; fill: var(--muted); }
svg .band { fill: #34a853; fill-opacity: 0.16; }
svg .interval { fill: #1a56a8; fill-opacity: 0.35; }
svg .original { stroke: #1d2433; stroke-width: 1.6; stroke-dasharray: 6 4; }
svg .dot { fill: #1a56a8; stroke: #ffffff; stroke-width: 1.5; }
svg .dot.inside { fill: #1e8e3e; }
svg .dot.outside { fill: #d93025; }
svg .nonfinite path { stroke: #b3261e; stroke-width: 2; }
svg .nonfinite text { font: 10px var(--mono); fill: #b3261e; }
svg .hist { fill: none; stroke-width: 1.3; stroke-linejoin: round; }
svg .hist.original { stroke: #1d2433; stroke-width: 2.2; }
svg .hist.r0 { stroke: #1a73e8; } svg .hist.r1 { stroke: #e8710a; } svg .hist.r2 { stroke: #12b5cb; } svg .hist.r3 { stroke: #9334e6; }
svg .hist.r4 { stroke: #e52592; } svg .hist.r5 { stroke: #188038; } svg .hist.r6 { stroke: #f9ab00; } svg .hist.r7 { stroke: #5f6368; }
svg .hist.replay { stroke-opacity: 0.85; }
.legend { font-size: 12px; color: var(--muted); margin: 4px 0 10px; }
.legend span { margin-right: 14px; white-space: nowrap; }
.sw { display: inline-block; width: 10px; height: 10px; border-radius: 50%; vertical-align: -1px; margin-right: 4px; }
.sw.line { border-radius: 0; height: 3px; width: 16px; vertical-align: 2px; }
ul.checklist { list-style: none; padding: 0; margin: 6px 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 6px 16px; }
ul.checklist li { display: flex; gap: 8px; align-items: baseline; padding: 6px 0; border-bottom: 1px dashed var(--line); }
ul.checklist .label { font-weight: 600; min-width: 150px; }
ul.checklist .detail { color: var(--muted); font-size: 12.5px; overflow-wrap: anywhere; }
.diff .add { color: #8fe3a4; } .diff .del { color: #ff9a91; } .diff .hunk { color: #8ab4f8; }
details { margin: 6px 0; } summary { cursor: pointer; color: var(--info); }
.notice { border-left: 4px solid var(--bad); background: var(--bad-bg); padding: 8px 12px; border-radius: 6px; margin: 10px 0; }
.warnbox { border-left: 4px solid #f3b300; background: var(--warn-bg); padding: 8px 12px; border-radius: 6px; margin: 10px 0; }
ul.findings { margin: 6px 0; padding-left: 20px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; text-align: center; }
.policy p { max-width: 900px; }
`;
