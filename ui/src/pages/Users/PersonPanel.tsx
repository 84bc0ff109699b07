import { useCallback, useEffect, useRef, useState } from "react";
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
  typographyStyles,
} from "@fluentui/react-components";
import { Dismiss24Regular } from "@fluentui/react-icons";
import type { CommandError } from "../../bindings/CommandError";
import type { PersonDetail } from "../../bindings/PersonDetail";
import type { PlanToAdd } from "../../bindings/PlanToAdd";
import { toCommandError, useApi } from "../../api";
import { useI18n } from "../../i18n";
import type { ChangeKind } from "../../components/ChangeFlow";
import { useCountryNames } from "../../components/CountryPicker";
import { ErrorState } from "../../components/ErrorState";

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
  name: { ...typographyStyles.title3, margin: 0, overflowWrap: "anywhere" },
  facts: { display: "grid", gridTemplateColumns: "auto 1fr", gap: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalM}` },
  label: { color: tokens.colorNeutralForeground3 },
  upn: { color: tokens.colorNeutralForeground3, wordBreak: "break-all" },
  // Cards keep their height: in the panel's scrolling column they must not be squeezed (and
  // clipped) to fit.
  card: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, flexShrink: 0 },
  apps: { display: "flex", flexDirection: "column" },
  app: { display: "flex", justifyContent: "space-between", alignItems: "center", gap: tokens.spacingHorizontalS },
  appName: { display: "flex", flexDirection: "column", fontSize: tokens.fontSizeBase300, overflowWrap: "anywhere" },
  // Microsoft's own name under the friendly one, small: what support and scripts call it.
  technical: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase100, color: tokens.colorNeutralForeground3 },
  pending: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingVerticalM,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorPaletteYellowBackground1,
    border: `1px solid ${tokens.colorPaletteYellowBorder1}`,
  },
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
  /// `apps`: for a change of apps, each license's service plans to have off afterwards.
  /// `groupId`: for leaving a group, the group.
  onChange: (kind: ChangeKind, skuId?: string, apps?: PlanToAdd[], name?: string, groupId?: string) => void;
}) {
  const api = useApi();
  const { t } = useI18n();
  const styles = useStyles();
  const { name: countryName } = useCountryNames();
  const [detail, setDetail] = useState<PersonDetail>();
  const [error, setError] = useState<CommandError>();
  /// Apps switched here but not applied: per direct license (skuId), the service plans to have
  /// off. Nothing is sent from the panel: the switches become a change, reviewed first.
  const [draft, setDraft] = useState<Record<string, string[]>>({});
  useEffect(() => setDraft({}), [id, generation]);

  const offNow = (skuId: string) =>
    detail?.licenses.find((l) => l.skuId === skuId && !l.groupId)?.servicePlans.filter((p) => !p.enabled).map((p) => p.id) ?? [];
  const isOff = (skuId: string, planId: string) => (draft[skuId] ?? offNow(skuId)).includes(planId);
  const switchApp = (skuId: string, planId: string, on: boolean) => {
    setDraft((d) => {
      const current = d[skuId] ?? offNow(skuId);
      const next = on ? current.filter((x) => x !== planId) : [...current.filter((x) => x !== planId), planId];
      return { ...d, [skuId]: next };
    });
  };
  const pending = Object.entries(draft).flatMap(([skuId, off]) => {
    const before = offNow(skuId);
    const switched = off.filter((x) => !before.includes(x)).length + before.filter((x) => !off.includes(x)).length;
    return switched > 0 ? [{ skuId, disabledPlans: off, switched }] : [];
  });
  const switchedCount = pending.reduce((sum, p) => sum + p.switched, 0);

  // Opening a person takes the focus to them (not left behind in the list).
  const heading = useRef<HTMLHeadingElement>(null);
  const focused = useRef<string>(undefined);
  useEffect(() => {
    if (detail && focused.current !== id) {
      focused.current = id;
      heading.current?.focus();
    }
  }, [detail, id]);

  const load = useCallback(() => {
    setError(undefined);
    api.person(id).then(setDetail, (e: unknown) => setError(toCommandError(e)));
  }, [api, id]);
  useEffect(load, [load, generation]);

  return (
    <aside
      className={styles.panel}
      aria-label={detail?.row.displayName ?? t.person.loading}
      data-testid="person-panel"
      onKeyDown={(e) => {
        // Escape closes the panel (the list keeps its place and its focus comes back).
        if (e.key === "Escape" && !e.defaultPrevented) {
          e.preventDefault();
          onClose();
        }
      }}
    >
      <div className={styles.head}>
        <div>
          <h2 ref={heading} tabIndex={-1} className={styles.name} data-testid="person-name">
            {detail?.row.displayName ?? ""}
          </h2>
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
              <Button appearance="transparent" size="small" onClick={() => onChange("location", undefined, undefined, detail.row.displayName)} data-testid="person-set-location">
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
              <Card key={`${l.skuId}-${l.groupId ?? "direct"}`} className={styles.card} data-testid="person-license" data-sku-part={l.partNumber}>
                <Text weight="semibold">{l.name}</Text>
                <div>
                  {group ? (
                    <Badge appearance="tint" color="informative" data-testid="license-source">{t.person.fromGroup(group)}</Badge>
                  ) : (
                    <Badge appearance="tint" color="brand" data-testid="license-source">{t.person.direct}</Badge>
                  )}
                </div>
                {l.error ? <Text className={styles.warn}>⚠ {t.person.groupError(l.error)}</Text> : null}
                <details>
                  <summary data-testid="apps-summary">{`${t.person.apps} (${l.servicePlans.filter((p) => p.enabled).length}/${l.servicePlans.length})`}</summary>
                  <div className={styles.apps}>
                    {l.servicePlans.map((p) => {
                      const on = group !== null ? p.enabled : !isOff(l.skuId, p.id);
                      const changed = on !== p.enabled;
                      const word = changed ? t.person.appWillBe(on) : on ? t.person.appOn : t.person.appOff;
                      return (
                        <div key={p.id} className={styles.app}>
                          <span className={styles.appName}>
                            {p.name}
                            {p.name !== p.technicalName ? <span className={styles.technical}>{p.technicalName}</span> : null}
                          </span>
                          <Switch
                            checked={on}
                            disabled={group !== null}
                            onChange={(_, d) => switchApp(l.skuId, p.id, d.checked)}
                            data-testid={`app-${p.technicalName}`}
                            label={changed ? <strong>{word}</strong> : word}
                            aria-label={`${p.name}: ${word}${p.status ? ` (${p.status})` : ""}`}
                          />
                        </div>
                      );
                    })}
                  </div>
                </details>
                {group && l.groupId ? (
                  <>
                    <Text className={styles.hint} data-testid="group-hint">{t.person.fromGroupHint(group)}</Text>
                    <div className={styles.actions}>
                      <Button
                        onClick={() => onChange("leaveGroup", undefined, undefined, detail.row.displayName, l.groupId ?? undefined)}
                        data-testid="person-leave-group"
                      >
                        {t.person.removeFromGroup}
                      </Button>
                    </div>
                  </>
                ) : (
                  <div className={styles.actions}>
                    <Button onClick={() => onChange("take", l.skuId, undefined, detail.row.displayName)} data-testid="person-take">{t.person.takeAway}</Button>
                    <Button onClick={() => onChange("swap", l.skuId, undefined, detail.row.displayName)} data-testid="person-swap">{t.person.swapFor}</Button>
                  </div>
                )}
              </Card>
            );
          })}
          {switchedCount > 0 ? (
            <div className={styles.pending} role="status" data-testid="apps-pending">
              <Text>{t.person.appsPending(switchedCount)}</Text>
              <div className={styles.actions}>
                <Button
                  appearance="primary"
                  onClick={() => onChange("apps", undefined, pending.map(({ skuId, disabledPlans }) => ({ skuId, disabledPlans })), detail.row.displayName)}
                  data-testid="apps-review"
                >
                  {t.person.appsReview}
                </Button>
                <Button onClick={() => setDraft({})} data-testid="apps-discard">{t.person.appsDiscard}</Button>
              </div>
            </div>
          ) : null}
          <div className={styles.actions}>
            <Button appearance="primary" onClick={() => onChange("give", undefined, undefined, detail.row.displayName)} data-testid="person-give">{t.person.give}</Button>
            <Button onClick={() => onChange("role", undefined, undefined, detail.row.displayName)} data-testid="person-give-role">{t.person.giveRole}</Button>
          </div>
        </>
      ) : null}
    </aside>
  );
}
