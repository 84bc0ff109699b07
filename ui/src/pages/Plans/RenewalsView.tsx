import { useEffect, useState } from "react";
import {
  Badge,
  Dropdown,
  Option,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { CommandError } from "../../bindings/CommandError";
import type { Commitment } from "../../bindings/Commitment";
import type { Renewal } from "../../bindings/Renewal";
import type { SkuSummary } from "../../bindings/SkuSummary";
import { toCommandError, useApi } from "../../api";
import { useI18n } from "../../i18n";
import { ErrorState } from "../../components/ErrorState";
import { StatusBadge } from "../../components/StatusBadge";
import { formatMoney } from "../../components/money";

const useStyles = makeStyles({
  box: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  tableBox: {
    overflowX: "auto",
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  muted: { color: tokens.colorNeutralForeground3, display: "block", fontSize: tokens.fontSizeBase200 },
  breaks: { color: tokens.colorPaletteRedForeground1 },
});

const WINDOW_DAYS = 90;
const KNOWN = ["Enabled", "Warning", "Suspended", "Deleted", "LockedOut"];

/// What renews or ends in the next 90 days: the seats nobody has that could be cut before,
/// who would lose their seat if it ended, and the person's mark (renews by itself, committed).
export function RenewalsView({ plans, currency }: { plans: SkuSummary[]; currency: string | null }) {
  const api = useApi();
  const { t, n, locale } = useI18n();
  const styles = useStyles();
  const [renewals, setRenewals] = useState<Renewal[]>();
  const [error, setError] = useState<CommandError>();

  useEffect(() => {
    api.renewals(WINDOW_DAYS).then(setRenewals, (e: unknown) => setError(toCommandError(e)));
  }, [api]);

  if (error) return <ErrorState title={t.money.renewalsError} error={error} />;
  if (!renewals) return <Spinner label={t.money.renewalsLoading} />;
  const soon = renewals.filter((r) => r.daysLeft !== null && r.daysLeft <= WINDOW_DAYS);
  const name = (skuId: string, part: string) => plans.find((p) => p.skuId === skuId)?.displayName ?? part;
  const mark = (r: Renewal, value: string) => {
    const commitment: Commitment | null = value === "autoRenews" ? "autoRenews" : value === "committed" ? "committed" : null;
    api.setCommitment(r.subscription.id, commitment).then(
      () => api.renewals(WINDOW_DAYS).then(setRenewals),
      (e: unknown) => setError(toCommandError(e)),
    );
  };
  const markWords = { none: t.money.markNone, autoRenews: t.money.markAuto, committed: t.money.markCommitted } as const;

  return (
    <section className={styles.box} aria-labelledby="renewals-title" data-testid="renewals">
      <Text as="h2" id="renewals-title" weight="semibold" size={500}>
        {t.money.renewalsTitle}
      </Text>
      <Text>{t.money.renewalsIntro}</Text>
      {soon.length === 0 ? (
        <Text data-testid="renewals-none">{t.money.renewalsNone}</Text>
      ) : (
        <div className={styles.tableBox}>
          <Table aria-label={t.money.tableLabel} data-testid="renewals-table">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>{t.money.colPlan}</TableHeaderCell>
                <TableHeaderCell>{t.money.colStatus}</TableHeaderCell>
                <TableHeaderCell>{t.money.colSeats}</TableHeaderCell>
                <TableHeaderCell>{t.money.colDate}</TableHeaderCell>
                <TableHeaderCell>{t.money.colUnassigned}</TableHeaderCell>
                <TableHeaderCell>{t.money.colBreaks}</TableHeaderCell>
                <TableHeaderCell>{t.money.colMark}</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {soon.map((r) => {
                const s = r.subscription;
                const date = s.nextLifecycle !== null ? new Date(s.nextLifecycle * 1000).toLocaleDateString(locale, { dateStyle: "medium" }) : "";
                const planName = name(s.skuId, s.skuPartNumber);
                const current = r.commitment ?? "none";
                return (
                  <TableRow key={s.id} data-testid="renewal-row" data-warn={r.warn}>
                    <TableCell>
                      {planName}
                      <span className={styles.muted}>{s.id}</span>
                    </TableCell>
                    <TableCell>
                      <StatusBadge status={KNOWN.includes(s.status) ? (s.status as SkuSummary["capabilityStatus"]) : "Unknown"} />
                      {s.isTrial ? <Badge appearance="outline" style={{ marginLeft: 4 }}>{t.money.trial}</Badge> : null}
                    </TableCell>
                    <TableCell>{n(s.totalLicenses)}</TableCell>
                    <TableCell>
                      {r.daysLeft !== null && r.daysLeft < 0 ? t.money.passed(date) : t.money.inDays(n(r.daysLeft ?? 0), date)}
                      {r.warn ? <span className={styles.muted}>{t.money.warn}</span> : null}
                    </TableCell>
                    <TableCell>
                      {n(r.unassigned)}
                      {r.unassignedCents !== null && r.unassigned > 0 ? <span className={styles.muted}>{t.money.monthly(formatMoney(r.unassignedCents, currency, locale))}</span> : null}
                    </TableCell>
                    <TableCell className={r.shortIfItEnds > 0 ? styles.breaks : undefined}>
                      {r.shortIfItEnds > 0 ? t.money.breaks(n(r.shortIfItEnds)) : t.money.breaksNone}
                    </TableCell>
                    <TableCell>
                      <Dropdown
                        aria-label={t.money.markLabel(planName)}
                        value={markWords[current]}
                        selectedOptions={[current]}
                        onOptionSelect={(_, d) => d.optionValue && mark(r, d.optionValue)}
                        style={{ minWidth: "10em" }}
                        data-testid="renewal-mark"
                      >
                        <Option value="none">{t.money.markNone}</Option>
                        <Option value="autoRenews">{t.money.markAuto}</Option>
                        <Option value="committed">{t.money.markCommitted}</Option>
                      </Dropdown>
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </div>
      )}
    </section>
  );
}
