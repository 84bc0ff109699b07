import { describe, expect, it } from "vitest";
import { pickLanguage, safeLocale } from ".";
import { en } from "./en";
import { nl } from "./nl";

describe("i18n", () => {
  it("picks the language from the locale tag", () => {
    expect(pickLanguage("nl-BE")).toBe("nl");
    expect(pickLanguage("NL")).toBe("nl");
    expect(pickLanguage("de-DE")).toBe("en");
    expect(pickLanguage(undefined)).toBe("en");
  });

  it("turns locales Intl would reject into ones it accepts", () => {
    expect(safeLocale("C")).toBe("en");
    expect(safeLocale("")).toBe("en");
    expect(safeLocale(undefined)).toBe("en");
    expect(safeLocale("nl_NL.UTF-8")).toBe("nl-NL");
    expect(safeLocale("en-GB")).toBe("en-GB");
    expect(() => new Intl.NumberFormat(safeLocale("C"))).not.toThrow();
  });

  it("has every English key in Dutch, translated", () => {
    const keys = (o: object) => Object.keys(o).sort();
    expect(keys(nl)).toEqual(keys(en));
    expect(keys(nl.status)).toEqual(keys(en.status));
    expect(nl.plansTitle).not.toBe(en.plansTitle);
  });
});
