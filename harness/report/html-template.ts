/**
 * A tagged template for HTML/SVG in which every interpolated value is escaped unless
 * it is already a `SafeHtml` built by this same template. Escaping is therefore the
 * default, and a forgotten escape cannot happen by omission: the only way to insert
 * unescaped markup is `trustedHtml`, used solely for constants written in this repo.
 */
import { escapeHtml } from "./escape.js";

export class SafeHtml {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  toString(): string {
    return this.#value;
  }
}

export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return "";
  if (value instanceof SafeHtml) return value.toString();
  if (Array.isArray(value)) return value.map((v: HtmlValue) => render(v)).join("");
  return escapeHtml(value);
}

export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? "";
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? "");
  });
  return new SafeHtml(out);
}

/** Markup written in this repository (CSS, fixed fragments). Never pass server data. */
export function trustedHtml(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
