import type { RunTitle } from "../bindings/RunTitle";
import { useI18n } from "../i18n";
import { useCountryNames } from "./CountryPicker";

/// Words a run's title (kept by the journal as facts) in the window's language.
export function useRunTitle(): (title: RunTitle) => string {
  const { t, n } = useI18n();
  const { name } = useCountryNames();
  return (title) => t.history.runTitle(title, n, name);
}
