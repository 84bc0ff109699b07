/// Money as the person's locale writes it: "€ 33,75" in Dutch, "€33.75" in English; without a
/// currency, the number with two decimals.
export function formatMoney(cents: number, currency: string | null | undefined, locale: string): string {
  const value = cents / 100;
  if (currency) {
    try {
      return new Intl.NumberFormat(locale, { style: "currency", currency }).format(value);
    } catch {
      // An unknown code: the number and the code.
    }
  }
  const number = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);
  return currency ? `${number} ${currency}` : number;
}

/// A price as people type it ("33,75", "33.75", "€ 12") in cents; `null` when it is not one.
export function parsePrice(text: string): number | null {
  const t = text.replace(/[€$£\s]/g, "");
  if (!/^\d{1,6}([.,]\d{1,2})?$/.test(t)) return null;
  const [whole, fraction = ""] = t.split(/[.,]/);
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
}
