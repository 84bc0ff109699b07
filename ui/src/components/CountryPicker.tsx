import { useEffect, useMemo, useState } from "react";
import { Combobox, Option } from "@fluentui/react-components";
import type { Country } from "../bindings/Country";
import { useApi } from "../api";
import { useI18n } from "../i18n";

/// Country names in the UI's language (Intl), falling back to the data set's English name.
export function useCountryNames(): { countries: Country[]; name: (code: string) => string } {
  const api = useApi();
  const { locale } = useI18n();
  const [countries, setCountries] = useState<Country[]>([]);
  useEffect(() => {
    api.countries().then(setCountries, () => setCountries([]));
  }, [api]);
  const display = useMemo(() => {
    try {
      return new Intl.DisplayNames([locale], { type: "region" });
    } catch {
      return undefined;
    }
  }, [locale]);
  const english = useMemo(() => new Map(countries.map((c) => [c.code, c.englishName])), [countries]);
  const name = useMemo(
    () => (code: string) => {
      try {
        const shown = display?.of(code);
        if (shown && shown !== code) return shown;
      } catch {
        // An odd code: fall through to the data set's name.
      }
      return english.get(code) ?? code;
    },
    [display, english],
  );
  return { countries, name };
}

/// A searchable country picker: type part of a name (in the UI's language or English) or the
/// two-letter code.
export function CountryPicker({
  value,
  onChange,
  label,
  placeholder,
  testId,
}: {
  value: string | null;
  onChange: (code: string | null) => void;
  label: string;
  placeholder: string;
  testId?: string;
}) {
  const { countries, name } = useCountryNames();
  const [text, setText] = useState("");
  const options = useMemo(() => {
    const all = countries
      .map((c) => ({ code: c.code, label: name(c.code), english: c.englishName }))
      .sort((a, b) => a.label.localeCompare(b.label));
    const q = text.trim().toLowerCase();
    if (!q) return all;
    return all.filter(
      (c) => c.label.toLowerCase().includes(q) || c.english.toLowerCase().includes(q) || c.code.toLowerCase() === q,
    );
  }, [countries, name, text]);
  return (
    <Combobox
      aria-label={label}
      placeholder={placeholder}
      value={text || (value ? `${name(value)} (${value})` : "")}
      selectedOptions={value ? [value] : []}
      onInput={(e) => setText((e.target as HTMLInputElement).value)}
      onOptionSelect={(_, data) => {
        setText("");
        onChange(data.optionValue ?? null);
      }}
      data-testid={testId}
    >
      {options.slice(0, 300).map((c) => (
        <Option key={c.code} value={c.code} text={`${c.label} (${c.code})`}>
          {`${c.label} (${c.code})`}
        </Option>
      ))}
    </Combobox>
  );
}
