import { createContext, useContext, useMemo, type ReactNode } from "react";
import { en, type Messages } from "./en";
import { nl } from "./nl";

export type { Messages };

const catalogs: Record<string, Messages> = { en, nl };

/// The best supported language for a BCP 47 tag: "nl-BE" → "nl", anything else → "en".
export function pickLanguage(tag: string | undefined): keyof typeof catalogs {
  const base = (tag ?? "en").toLowerCase().split("-")[0] ?? "en";
  return base in catalogs ? base : "en";
}

/// A locale Intl accepts. Webviews report odd tags where the OS locale is unset ("C",
/// "en_US.UTF-8"); Intl throws a RangeError on those, which would blank the whole app.
export function safeLocale(tag: string | undefined): string {
  const cleaned = (tag ?? "").split(".")[0]?.replace(/_/g, "-") ?? "";
  try {
    return Intl.getCanonicalLocales(cleaned)[0] ?? "en";
  } catch {
    return "en";
  }
}

/// A moment (RFC 3339) as this locale writes a date and time; the text itself if unreadable.
export function when(iso: string, locale: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" });
}

interface I18n {
  locale: string;
  t: Messages;
  /// Formats a count for the locale (1,234 or 1.234).
  n: (value: number) => string;
}

function makeI18n(requested: string): I18n {
  const locale = safeLocale(requested);
  const language = pickLanguage(locale);
  const format = new Intl.NumberFormat(locale);
  return { locale, t: catalogs[language] ?? en, n: (v) => format.format(v) };
}

const I18nContext = createContext<I18n>(makeI18n("en"));

export function I18nProvider({ locale, children }: { locale: string; children: ReactNode }) {
  const value = useMemo(() => makeI18n(locale), [locale]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  return useContext(I18nContext);
}
