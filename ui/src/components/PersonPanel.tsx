import { useCallback, useEffect, useState } from "react";
import {
  Badge,
  Button,
  Card,
  Spinner,
  Switch,
  Text,
  Title3,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Dismiss24Regular } from "@fluentui/react-icons";
import type { CommandError } from "../bindings/CommandError";
import type { PersonDetail } from "../bindings/PersonDetail";
import { toCommandError, useApi } from "../api";
import { useI18n } from "../i18n";
import type { ChangeKind } from "./ChangeFlow";
import { useCountryNames } from "./CountryPicker";
import { ErrorState } from "./ErrorState";

const useStyles = makeStyles({
  panel: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalL,
    width: "420px",
    maxWidth: "45vw",
    boxSizing: "border-box",
    borderLeft: `1px solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground1,
    overflowY: "auto",
  },
  head: { display: "flex", justifyContent: "space-between", alignItems: "flex-start", gap: tokens.spacingHorizontalS },
  facts: { display: "grid", gridTemplateColumns: "auto 1fr", gap: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalM}` },
  label: { color: tokens.colorNeutralForeground3 },
  upn: { color: tokens.colorNeutralForeground3, wordBreak: "break-all" },
  card: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  apps: { display: "flex", flexDirection: "column" },
  app: { display: "flex", justifyContent: "space-between", alignItems: "center", gap: tokens.spacingHorizontalS },
  appName: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, overflowWrap: "anywhere" },
  actions: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
  hint: { color: tokens.colorNeutralForeground2 },
  warn: { color: tokens.colorPaletteDarkOrangeForeground1 },
});

/// One person beside the list: who they are, their usage location, and one card per license
/// saying where it comes from, its apps, and what can be done with it.
export function PersonPanel({
  id,
  generation,
  notice,
  onClose,
  onChange,
}: {
  id: string;
  /// Changes after each applied change, so the panel re-reads the person.
  generation: number;
  /// What the last change did, to show at the top.
  notice?: string;
  onClose: () => void;
  onChange: (kind: ChangeKind, skuId?: string) => void;
}) {
  const api = useApi();
  const { t } = useI18n();
  const styles = useStyles();
  const { name: countryName } = useCountryNames();
  const [detail, setDetail] = useState<PersonDetail>();
  const [error, setError] = useState<CommandError>();
  /// The app being switched (one at a time), and what went wrong with the last switch.
  const [switching, setSwitching] = useState<string>();
  const [switchError, setSwitchError] = useState<CommandError>();

  const switchApp = (skuId: string, planId: string, on: boolean) => {
    const license = detail?.licenses.find((l) => l.skuId === skuId && !l.groupId);
    if (!license) return;
    const off = license.servicePlans.filter((p) => (p.id === planId ? !on : !p.enabled)).map((p) => p.id);
    setSwitching(planId);
    setSwitchError(undefined);
    api.setApps(id, skuId, off).then(
      (next) => {
        setDetail(next);
        setSwitching(undefined);
      },
      (e: unknown) => {
        setSwitchError(toCommandError(e));
        setSwitching(undefined);
      },
    );
  };

  const load = useCallback(() => {
    setError(undefined);
    api.person(id).then(setDetail, (e: unknown) => setError(toCommandError(e)));
  }, [api, id]);
  useEffect(load, [load, generation]);

  return (
    <aside className={styles.panel} aria-label={detail?.row.displayName ?? t.person.loading} data-testid="person-panel">
      <div className={styles.head}>
        <div>
          <Title3>{detail?.row.displayName ?? ""}</Title3>
          <div className={styles.upn}>{detail?.row.userPrincipalName}</div>
        </div>
        <Button appearance="subtle" icon={<Dismiss24Regular />} aria-label={t.person.close} onClick={onClose} data-testid="person-close" />
      </div>
      {notice ? (
        <Text role="status" weight="semibold" data-testid="person-notice">{t.person.changed(notice)}</Text>
      ) : null}
      {error ? <ErrorState title={t.person.errorTitle} error={error} onRetry={load} /> : null}
      {!detail && !error ? <Spinner label={t.person.loading} /> : null}
      {detail ? (
        <>
          <div className={styles.facts}>
            <Text className={styles.label}>{t.person.usageLocation}</Text>
            <Text data-testid="person-location">
              {detail.row.usageLocation ? `${countryName(detail.row.usageLocation)} (${detail.row.usageLocation})` : <span className={styles.warn}>{t.person.noUsageLocation}</span>}{" "}
              <Button appearance="transparent" size="small" onClick={() => onChange("location")} data-testid="person-set-location">
                {t.person.change}
              </Button>
            </Text>
            <Text className={styles.label}>{t.person.department}</Text>
            <Text>{detail.row.department ?? "—"}</Text>
            <Text className={styles.label}>{t.person.signIn}</Text>
            <Text>{detail.row.accountEnabled ? t.users.signInEnabled : t.users.signInBlocked}</Text>
          </div>
          <Title3>{t.person.licenses}</Title3>
          {detail.licenses.length === 0 ? <Text>{t.person.noLicenses}</Text> : null}
          {detail.licenses.map((l) => {
            const group = l.groupId ? (l.groupName ?? l.groupId) : null;
            return (
              <Card key={`${l.skuId}-${l.groupId ?? "direct"}`} className={styles.card} data-testid="person-license">
                <Text weight="semibold">{l.name}</Text>
                <div>
                  {group ? (
                    <Badge appearance="tint" color="informative" data-testid="license-source">{t.person.fromGroup(group)}</Badge>
                  ) : (
                    <Badge appearance="tint" color="brand" data-testid="license-source">{t.person.direct}</Badge>
                  )}
                </div>
                {l.error ? <Text className={styles.warn}>⚠ {t.person.groupError(l.error)}</Text> : null}
                {switchError && !group ? <ErrorState title={t.person.apps} error={switchError} /> : null}
                <details>
                  <summary>{`${t.person.apps} (${l.servicePlans.filter((p) => p.enabled).length}/${l.servicePlans.length})`}</summary>
                  <div className={styles.apps}>
                    {l.servicePlans.map((p) => (
                      <div key={p.id} className={styles.app}>
                        <span className={styles.appName}>{p.name}</span>
                        <Switch
                          checked={p.enabled}
                          disabled={group !== null || switching !== undefined}
                          onChange={(_, d) => switchApp(l.skuId, p.id, d.checked)}
                          data-testid={`app-${p.name}`}
                          label={switching === p.id ? "…" : p.enabled ? t.person.appOn : t.person.appOff}
                          aria-label={`${p.name}: ${p.enabled ? t.person.appOn : t.person.appOff}${p.status ? ` (${p.status})` : ""}`}
                        />
                      </div>
                    ))}
                  </div>
                </details>
                {group ? (
                  <Text className={styles.hint} data-testid="group-hint">{t.person.fromGroupHint(group)}</Text>
                ) : (
                  <div className={styles.actions}>
                    <Button onClick={() => onChange("take", l.skuId)} data-testid="person-take">{t.person.takeAway}</Button>
                    <Button onClick={() => onChange("swap", l.skuId)} data-testid="person-swap">{t.person.swapFor}</Button>
                  </div>
                )}
              </Card>
            );
          })}
          <div className={styles.actions}>
            <Button appearance="primary" onClick={() => onChange("give")} data-testid="person-give">{t.person.give}</Button>
          </div>
        </>
      ) : null}
    </aside>
  );
}
