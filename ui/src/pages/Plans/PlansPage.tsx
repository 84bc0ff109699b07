import { Suspense, lazy, useCallback, useEffect, useMemo, useState } from "react";
import {
  Button,
  MessageBar,
  MessageBarBody,
  SearchBox,
  Spinner,
  Text,
  ToggleButton,
  Title2,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { ArrowClockwise20Regular, ArrowDownload20Regular, ArrowUpload20Regular, Box24Regular } from "@fluentui/react-icons";
import type { CommandError } from "../../bindings/CommandError";
import type { Kept } from "../../bindings/Kept";
import type { PlanCost } from "../../bindings/PlanCost";
import type { SkuSummary } from "../../bindings/SkuSummary";
import { toCommandError, useApi } from "../../api";
import { useI18n } from "../../i18n";
import { ErrorState } from "../../components/ErrorState";
import { formatMoney } from "../../components/money";
import { PlanCard } from "./PlanCard";
// Opened on demand: the first screen's script stays as small as before prices existed.
const PriceDialog = lazy(() => import("./PriceDialog").then((m) => ({ default: m.PriceDialog })));
const RenewalsView = lazy(() => import("./RenewalsView").then((m) => ({ default: m.RenewalsView })));

const useStyles = makeStyles({
  page: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
    padding: `${tokens.spacingVerticalXL} ${tokens.spacingHorizontalXXL}`,
    minWidth: 0,
  },
  header: {
    display: "flex",
    justifyContent: "space-between",
    alignItems: "flex-end",
    flexWrap: "wrap",
    gap: tokens.spacingHorizontalM,
  },
  titles: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
  subtitle: { color: tokens.colorNeutralForeground3 },
  tools: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "center", flexWrap: "wrap" },
  grid: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fill, minmax(300px, 1fr))",
    gap: tokens.spacingHorizontalL,
  },
  centered: {
    display: "flex",
    flexDirection: "column",
    alignItems: "center",
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingVerticalXXXL,
    textAlign: "center",
    color: tokens.colorNeutralForeground2,
  },
});

type Load =
  | { state: "loading" }
  | { state: "loaded"; plans: SkuSummary[] }
  | { state: "failed"; error: CommandError };

/// Every license plan of the tenant with its seats.
export function PlansPage({ tenantName }: { tenantName: string | undefined }) {
  const api = useApi();
  const { t, n } = useI18n();
  const styles = useStyles();
  const [load, setLoad] = useState<Load>({ state: "loading" });
  const [query, setQuery] = useState("");
  const [tab, setTab] = useState<"plans" | "renewals">("plans");
  const [kept, setKept] = useState<Kept>();
  const [costs, setCosts] = useState<PlanCost[]>([]);
  const [editing, setEditing] = useState<SkuSummary | null>(null);
  const [moneyError, setMoneyError] = useState<CommandError>();
  const [notice, setNotice] = useState<string>();
  const { locale } = useI18n();

  // Prices and thresholds after the plans: the cards never wait for them.
  const readMoney = useCallback(() => {
    api.kept().then(setKept, (e: unknown) => setMoneyError(toCommandError(e)));
    api.planCosts().then(setCosts, (e: unknown) => setMoneyError(toCommandError(e)));
  }, [api]);
  useEffect(readMoney, [readMoney]);

  const refresh = useCallback(() => {
    setLoad({ state: "loading" });
    api.listPlans().then(
      (plans) => setLoad({ state: "loaded", plans }),
      (e: unknown) => setLoad({ state: "failed", error: toCommandError(e) }),
    );
  }, [api]);

  useEffect(refresh, [refresh]);
  // When the first plan cards were painted: a standard performance mark, once per window, and
  // a line in the app's log, which the start-up benchmark (`make bench`) reads.
  const drawn = load.state === "loaded" && load.plans.length > 0;
  useEffect(() => {
    if (!drawn || performance.getEntriesByName("plans-drawn").length > 0) return;
    requestAnimationFrame(() =>
      setTimeout(() => {
        const mark = performance.mark("plans-drawn");
        api.firstScreenDrawn(performance.timeOrigin + mark.startTime).catch(() => undefined);
      }, 0),
    );
  }, [drawn, api]);

  const priced = costs.filter((c) => c.monthlyCents !== null);
  const visible = useMemo(() => {
    if (load.state !== "loaded") return [];
    const q = query.trim().toLowerCase();
    if (!q) return load.plans;
    return load.plans.filter(
      (p) => p.displayName.toLowerCase().includes(q) || p.skuPartNumber.toLowerCase().includes(q),
    );
  }, [load, query]);

  return (
    <main className={styles.page} aria-labelledby="plans-title" aria-busy={load.state === "loading"}>
      <div className={styles.header}>
        <div className={styles.titles}>
          <Title2 as="h1" id="plans-title">
            {t.plansTitle}
          </Title2>
          {load.state === "loaded" && load.plans.length > 0 ? (
            <Text className={styles.subtitle} data-testid="plans-subtitle">
              {t.plansSubtitle(n(load.plans.length), tenantName ?? "")}
            </Text>
          ) : null}
        </div>
        <div className={styles.tools}>
          <SearchBox
            placeholder={t.plansSearch}
            aria-label={t.plansSearch}
            value={query}
            onChange={(_, data) => setQuery(data.value)}
            disabled={load.state !== "loaded"}
          />
          <Button
            icon={<ArrowClockwise20Regular />}
            onClick={refresh}
            disabled={load.state === "loading"}
          >
            {t.plansRefresh}
          </Button>
          <Button
            icon={<ArrowUpload20Regular />}
            onClick={() => {
              setMoneyError(undefined);
              setNotice(undefined);
              api.importPrices(locale).then(
                (k) => {
                  if (!k) return;
                  setKept(k);
                  setNotice(t.money.imported);
                  api.planCosts().then(setCosts, () => undefined);
                },
                (e: unknown) => setMoneyError(toCommandError(e)),
              );
            }}
            data-testid="prices-import"
          >
            {t.money.importPrices}
          </Button>
          {(["csv", "xlsx"] as const).map((format) => (
            <Button
              key={format}
              icon={<ArrowDownload20Regular />}
              onClick={() => {
                setMoneyError(undefined);
                setNotice(undefined);
                api.saveChargeback(format === "xlsx", locale).then(
                  (saved) => saved && setNotice(t.money.chargebackSaved(n(saved.departments), saved.path)),
                  (e: unknown) => setMoneyError(toCommandError(e)),
                );
              }}
              data-testid={`chargeback-${format}`}
            >
              {format === "xlsx" ? t.money.chargebackExcel : t.money.chargebackCsv}
            </Button>
          ))}
        </div>
      </div>
      {/* Two toggle buttons, not Fluent's TabList: its arrow-key mover puts hidden focusable
          stops around the tabs (axe: aria-hidden-focus). */}
      <div role="group" aria-label={t.money.viewLabel} className={styles.tools} data-testid="plans-tabs">
        <ToggleButton appearance="subtle" checked={tab === "plans"} onClick={() => setTab("plans")} data-testid="tab-plans">
          {t.money.tabPlans}
        </ToggleButton>
        <ToggleButton appearance="subtle" checked={tab === "renewals"} onClick={() => setTab("renewals")} data-testid="tab-renewals">
          {t.money.tabRenewals}
        </ToggleButton>
      </div>
      {notice ? (
        <MessageBar intent="success" data-testid="money-notice">
          <MessageBarBody>{notice}</MessageBarBody>
        </MessageBar>
      ) : null}
      {moneyError ? <ErrorState title={t.money.importFailed} error={moneyError} /> : null}
      {priced.length > 0 && kept ? (
        <Text data-testid="plans-costs-total">
          {t.money.totals(
            formatMoney(priced.reduce((s, c) => s + (c.monthlyCents ?? 0), 0), kept.prices.currency, locale),
            formatMoney(priced.reduce((s, c) => s + (c.unassignedCents ?? 0), 0), kept.prices.currency, locale),
          )}
        </Text>
      ) : null}
      {tab === "renewals" && load.state === "loaded" ? (
        <Suspense fallback={<Spinner label={t.money.renewalsLoading} />}>
          <RenewalsView plans={load.plans} currency={kept?.prices.currency ?? null} />
        </Suspense>
      ) : null}

      {load.state === "loading" ? (
        <div className={styles.centered}>
          <Spinner label={t.plansLoading} data-testid="plans-loading" />
        </div>
      ) : null}

      {load.state === "failed" ? (
        <ErrorState title={t.plansErrorTitle} error={load.error} onRetry={refresh} />
      ) : null}

      {load.state === "loaded" && load.plans.length === 0 ? (
        <div className={styles.centered} data-testid="plans-empty">
          <Box24Regular aria-hidden />
          <Text weight="semibold" size={400}>
            {t.plansEmptyTitle}
          </Text>
          <Text>{t.plansEmptyBody}</Text>
        </div>
      ) : null}

      {load.state === "loaded" && load.plans.length > 0 && visible.length === 0 ? (
        <div className={styles.centered} data-testid="plans-no-match">
          <Text>{t.plansNoMatch(query.trim())}</Text>
        </div>
      ) : null}

      {tab === "plans" && visible.length > 0 ? (
        <section className={styles.grid} aria-label={t.plansTitle} data-testid="plans-grid">
          {visible.map((plan) => (
            <PlanCard
              key={plan.skuId}
              plan={plan}
              money={
                kept && plan.appliesTo !== "Company"
                  ? {
                      cost: costs.find((c) => c.skuId === plan.skuId),
                      currency: kept.prices.currency,
                      threshold: kept.thresholds[plan.skuPartNumber.toUpperCase()],
                      onEdit: () => setEditing(plan),
                    }
                  : undefined
              }
            />
          ))}
        </section>
      ) : null}
      {editing && kept ? (
        <Suspense fallback={null}>
        <PriceDialog
          plan={editing}
          kept={kept}
          onClose={(k) => {
            setEditing(null);
            if (k) {
              setKept(k);
              api.planCosts().then(setCosts, (e: unknown) => setMoneyError(toCommandError(e)));
            }
          }}
        />
        </Suspense>
      ) : null}
    </main>
  );
}
