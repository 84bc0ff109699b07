import { AboutSection } from "./AboutSection";
import { AppearanceSection } from "./AppearanceSection";
import { ComputerSection } from "./ComputerSection";
import { ProductNamesSection } from "./ProductNamesSection";
import { RolesSection } from "./RolesSection";
import type { Appearance } from "../../bindings/Appearance";
import { useCallback, useEffect, useState } from "react";
import {
  Badge,
  Button,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Spinner,
  Subtitle2,
  Text,
  Title2,
  Title3,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { CommandError } from "../../bindings/CommandError";
import type { SigningSettings } from "../../bindings/SigningSettings";
import { toCommandError, useApi } from "../../api";
import { useCopy } from "../../clipboard";
import { useI18n } from "../../i18n";
import { ErrorState } from "../../components/ErrorState";

const useStyles = makeStyles({
  page: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
    padding: `${tokens.spacingVerticalXL} ${tokens.spacingHorizontalXXL}`,
    maxWidth: "900px",
  },
  section: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingVerticalL,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  key: { fontFamily: tokens.fontFamilyMonospace, overflowWrap: "anywhere" },
  row: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "center", flexWrap: "wrap" },
  list: { margin: 0, paddingLeft: 0, listStyle: "none", display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  item: { display: "flex", justifyContent: "space-between", alignItems: "center", gap: tokens.spacingHorizontalM, flexWrap: "wrap" },
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, maxWidth: "560px" },
});

/// Settings: the language and theme; signed plans (this person's own key, to give to approvers, and the
/// keys they trust beside the policy's); and the About box.
export function SettingsPage({ appearance, onAppearance }: { appearance: Appearance; onAppearance: (next: Appearance) => void }) {
  const api = useApi();
  const { t } = useI18n();
  const s = t.settings;
  const styles = useStyles();
  const [settings, setSettings] = useState<SigningSettings>();
  const [error, setError] = useState<CommandError>();
  const [name, setName] = useState("");
  const [key, setKey] = useState("");
  const [addError, setAddError] = useState<CommandError>();
  const [added, setAdded] = useState<string>();
  const { state: copyState, copy } = useCopy();

  const load = useCallback(() => {
    setError(undefined);
    api.signingSettings().then(setSettings, (e: unknown) => setError(toCommandError(e)));
  }, [api]);
  useEffect(load, [load]);

  const add = () => {
    setAddError(undefined);
    setAdded(undefined);
    api.trustPlanKey(name, key).then(
      () => {
        setAdded(name);
        setName("");
        setKey("");
        load();
      },
      (e: unknown) => setAddError(toCommandError(e)),
    );
  };

  return (
    <section className={styles.page} aria-labelledby="settings-title" data-testid="settings-page">
      <Title2 as="h1" id="settings-title">{s.title}</Title2>
      <AppearanceSection className={styles.section} appearance={appearance} onChange={onAppearance} />
      {error ? <ErrorState title={s.errorTitle} error={error} onRetry={load} /> : null}
      {!settings && !error ? <Spinner label={s.loading} /> : null}
      {settings ? (
        <>
          <div className={styles.section} aria-labelledby="own-key-title">
            <Title3 as="h2" id="own-key-title">{s.ownKeyTitle}</Title3>
            <Text>{s.ownKeyHint}</Text>
            {settings.own ? (
              <>
                <Text>
                  {s.fingerprint}: <span className={styles.key} data-testid="own-fingerprint">{settings.own.fingerprint}</span>
                </Text>
                <div className={styles.row}>
                  <Text className={styles.key} data-testid="own-public-key">{settings.own.publicKey}</Text>
                  <Button size="small" onClick={() => copy(settings.own?.publicKey ?? "")} data-testid="own-copy">
                    {copyState === "copied" ? s.copied : copyState === "failed" ? s.copyFailed : s.copy}
                  </Button>
                </div>
              </>
            ) : (
              <MessageBar intent="warning" layout="multiline">
                <MessageBarBody>{settings.signInFirst ? s.signInFirst : s.noOwnKey(settings.ownMissingWhy ?? "")}</MessageBarBody>
              </MessageBar>
            )}
          </div>

          <div className={styles.section} aria-labelledby="trusted-title">
            <Title3 as="h2" id="trusted-title">{s.trustedTitle}</Title3>
            <Text>{s.trustedHint}</Text>
            {settings.policyError ? (
              <MessageBar intent="error" layout="multiline" data-testid="policy-error">
                <MessageBarBody>{settings.policyError}</MessageBarBody>
              </MessageBar>
            ) : null}
            {settings.signedPlansRequired ? (
              <MessageBar intent="info" layout="multiline" data-testid="signed-required">
                <MessageBarBody>{s.required}</MessageBarBody>
              </MessageBar>
            ) : null}
            {settings.trusted.length === 0 ? (
              <Text data-testid="trusted-empty">{s.noneTrusted}</Text>
            ) : (
              <ul className={styles.list} data-testid="trusted-list">
                {settings.trusted.map((k) => (
                  <li key={`${k.byPolicy}-${k.publicKey}`} className={styles.item}>
                    <div>
                      <Text weight="semibold">{k.name}</Text>{" "}
                      {k.byPolicy ? <Badge appearance="tint" color="informative">{s.byPolicy}</Badge> : null}
                      <br />
                      <Text className={styles.key}>{k.fingerprint}</Text>
                    </div>
                    {k.byPolicy ? null : (
                      <Button
                        aria-label={s.removeLabel(k.name)}
                        onClick={() => void api.untrustPlanKey(k.publicKey).then(load, (e: unknown) => setError(toCommandError(e)))}
                      >
                        {s.remove}
                      </Button>
                    )}
                  </li>
                ))}
              </ul>
            )}
            <form
              className={styles.form}
              onSubmit={(e) => {
                e.preventDefault();
                add();
              }}
            >
              <Subtitle2 as="h3">{s.addTitle}</Subtitle2>
              <Field label={s.nameLabel} hint={s.nameHint} required>
                <Input value={name} onChange={(_, d) => setName(d.value)} data-testid="trust-name" />
              </Field>
              <Field label={s.keyLabel} hint={s.keyHint} required>
                <Input value={key} onChange={(_, d) => setKey(d.value)} data-testid="trust-key" />
              </Field>
              <div>
                <Button appearance="primary" type="submit" disabled={!name.trim() || !key.trim()} data-testid="trust-add">
                  {s.add}
                </Button>
              </div>
              {addError ? <ErrorState title={s.addFailed} error={addError} /> : null}
              {added ? (
                <Text role="status" data-testid="trust-added">{s.added(added)}</Text>
              ) : null}
            </form>
          </div>
        </>
      ) : null}
      <RolesSection className={styles.section} />
      <ProductNamesSection className={styles.section} />
      <ComputerSection className={styles.section} />
      <AboutSection className={styles.section} />
    </section>
  );
}
