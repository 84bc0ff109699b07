/// <reference types="node" />
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { en } from "./en";
import { nl } from "./nl";

const SRC = join(__dirname, "..");

/// Attributes whose value a person reads (or hears from a screen reader).
const WORDED = new Set(["label", "placeholder", "title", "aria-label", "alt", "hint", "content", "validationMessage", "aria-description"]);
/// Written in a component on purpose: addresses and sample values, the same in every language.
const ALLOWED = new Set(["https://login.microsoftonline.com", "https://graph.microsoft.com"]);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "bindings" || name === "test" ? [] : sources(path);
    return path.endsWith(".tsx") && !path.endsWith(".test.tsx") ? [path] : [];
  });
}

/// Words in a component: JSX text with letters, and worded attributes given a string literal.
function wordsIn(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isJsxText(node) && /\p{L}/u.test(node.text)) found.push(node.text.trim());
    if (ts.isJsxAttribute(node) && WORDED.has(node.name.getText(source)) && node.initializer) {
      const init = node.initializer;
      const literal = ts.isStringLiteral(init)
        ? init.text
        : ts.isJsxExpression(init) && init.expression && (ts.isStringLiteral(init.expression) || ts.isNoSubstitutionTemplateLiteral(init.expression))
          ? init.expression.text
          : undefined;
      if (literal !== undefined && /\p{L}/u.test(literal) && !ALLOWED.has(literal)) found.push(`${node.name.getText(source)}="${literal}"`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.map((w) => `${relative(SRC, file)}: ${w}`);
}

/// Every leaf of a message tree, by its path ("settings.policyKey.tenant").
function leaves(o: unknown, path = ""): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (o && typeof o === "object" && !Array.isArray(o)) {
    for (const [k, v] of Object.entries(o)) for (const [p, leaf] of leaves(v, path ? `${path}.${k}` : k)) out.set(p, leaf);
  } else out.set(path, o);
  return out;
}

describe("Both languages, complete", () => {
  it("no component writes words a person sees: they come from the message files", () => {
    const files = sources(SRC);
    expect(files.length).toBeGreaterThan(15);
    expect(files.flatMap(wordsIn)).toEqual([]);
  });

  it("every message exists in English and Dutch, and Dutch is not English left in place", () => {
    // Errors are worded from the Rust side's codes: English repeats Rust's words, so it has
    // fewer entries (errors.test.ts checks Dutch has every code).
    const notErrors = (m: Map<string, unknown>) => new Map([...m].filter(([k]) => !k.startsWith("errors.")));
    const english = notErrors(leaves(en));
    const dutch = notErrors(leaves(nl));
    expect([...dutch.keys()].sort()).toEqual([...english.keys()].sort());
    // Words that are the same in both languages (names, codes, loanwords).
    const same = new Set(["appName", "cloudChina", "settings.policyKey.tenant", "settings.policyKey.cloud", "status.enabled"]);
    const untranslated = [...english]
      .filter(([k, v]) => typeof v === "string" && v.length > 12 && dutch.get(k) === v && !same.has(k))
      .map(([k]) => k);
    expect(untranslated).toEqual([]);
  });
});
