/// <reference types="node" />
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { en } from "./i18n/en";
import { nl } from "./i18n/nl";
import { errorText } from "./errors";

describe("Errors from the Rust side", () => {
  it("are worded in the window's language from their code and values", () => {
    const tooLarge = { code: "import.tooLarge", message: "The file is 80 MB; …", details: null, values: { mb: "80", most: "50" } };
    expect(errorText(tooLarge, nl)).toBe("Het bestand is 80 MB; LicenseDesk leest bestanden tot 50 MB. Splits het in kleinere bestanden.");
    expect(errorText(tooLarge, en)).toBe("The file is 80 MB; LicenseDesk reads files up to 50 MB. Split it into smaller files.");
    // A code the message file does not know keeps the Rust side's English.
    const odd = { code: "something.new", message: "Plain English from Rust.", details: null };
    expect(errorText(odd, nl)).toBe("Plain English from Rust.");
  });

  it("every Dutch error has an English twin or is one the Rust side words in English", () => {
    // The Dutch file may word codes whose English comes from Rust; none may be empty.
    for (const [code, words] of Object.entries(nl.errors)) {
      expect(words?.({ mb: "1", most: "2", asked: "x", sheets: "y", lines: "3" }).length, code).toBeGreaterThan(10);
    }
  });

  it("has Dutch words for every error code the Rust side of the app can send", () => {
    // Every code is a string literal "area.camelCase" in the app's Rust sources, outside their
    // tests (file names such as "journal.sqlite" are the only other literals of that shape).
    const dir = join(__dirname, "..", "..", "src-tauri", "src");
    const codes = new Set<string>();
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".rs"))) {
      // Tests at the end of a file name tenants and files, not codes.
      const code = readFileSync(join(dir, file), "utf8").split("#[cfg(test)]")[0]!;
      for (const m of code.matchAll(/"([a-z][A-Za-z]*\.[a-z][A-Za-z]+)"/g)) {
        if (!/\.(json|sqlite|log|csv|xlsx|tsv|lock|txt)$/.test(m[1]!)) codes.add(m[1]!);
      }
    }
    expect(codes.size).toBeGreaterThan(50);
    const missing = [...codes].filter((c) => nl.errors[c] === undefined).sort();
    expect(missing).toEqual([]);
  });
});

