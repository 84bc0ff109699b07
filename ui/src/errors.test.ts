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
});
