import { Radio, RadioGroup, Title3, Field } from "@fluentui/react-components";
import type { Appearance } from "../../bindings/Appearance";
import type { LanguageChoice } from "../../bindings/LanguageChoice";
import type { ThemeChoice } from "../../bindings/ThemeChoice";
import { useI18n } from "../../i18n";

/// The window's language and theme: the system's (the default) or the person's choice, applied
/// at once and kept for the next start.
export function AppearanceSection({
  className,
  appearance,
  onChange,
}: {
  className: string;
  appearance: Appearance;
  onChange: (next: Appearance) => void;
}) {
  const { t } = useI18n();
  const s = t.settings;
  return (
    <div className={className} aria-labelledby="appearance-title" data-testid="appearance">
      <Title3 as="h2" id="appearance-title">{s.appearanceTitle}</Title3>
      <Field label={s.languageLabel}>
        <RadioGroup
          layout="horizontal"
          value={appearance.language}
          onChange={(_, d) => onChange({ ...appearance, language: d.value as LanguageChoice })}
          data-testid="language-choice"
        >
          <Radio value="system" label={s.languageSystem} />
          {/* Each language named in itself, so the person can find their own. */}
          <Radio value="en" label={s.languageEn} lang="en" />
          <Radio value="nl" label={s.languageNl} lang="nl" />
        </RadioGroup>
      </Field>
      <Field label={s.themeLabel}>
        <RadioGroup
          value={appearance.theme}
          onChange={(_, d) => onChange({ ...appearance, theme: d.value as ThemeChoice })}
          data-testid="theme-choice"
        >
          <Radio value="system" label={s.themeSystem} />
          <Radio value="light" label={s.themeLight} />
          <Radio value="dark" label={s.themeDark} />
          <Radio value="highContrast" label={s.themeHighContrast} />
        </RadioGroup>
      </Field>
    </div>
  );
}
