import type { ReactElement } from "react";
import {
  Button,
  Caption1,
  Card,
  ProgressBar,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Building16Regular, Info16Regular, Warning16Regular } from "@fluentui/react-icons";
import type { SkuSummary } from "../../bindings/SkuSummary";
import type { PlanCost } from "../../bindings/PlanCost";
import type { Threshold } from "../../bindings/Threshold";
import { formatMoney } from "../../components/money";
import { useI18n } from "../../i18n";
import { StatusBadge } from "../../components/StatusBadge";

const useStyles = makeStyles({
  card: { gap: tokens.spacingVerticalM, minWidth: 0 },
  head: {
    display: "flex",
    justifyContent: "space-between",
    alignItems: "flex-start",
    gap: tokens.spacingHorizontalS,
  },
  names: { display: "flex", flexDirection: "column", minWidth: 0 },
  name: {
    fontSize: tokens.fontSizeBase400,
    fontWeight: tokens.fontWeightSemibold,
    lineHeight: tokens.lineHeightBase400,
    margin: 0,
  },
  part: { fontFamily: tokens.fontFamilyMonospace, color: tokens.colorNeutralForeground3 },
  available: { display: "flex", alignItems: "baseline", gap: tokens.spacingHorizontalXS },
  bigNumber: {
    fontSize: tokens.fontSizeHero700,
    lineHeight: tokens.lineHeightHero700,
    fontWeight: tokens.fontWeightSemibold,
  },
  unavailable: {
    fontSize: tokens.fontSizeBase400,
    lineHeight: tokens.lineHeightHero700,
    color: tokens.colorNeutralForeground2,
  },
  facts: {
    display: "grid",
    gridTemplateColumns: "repeat(3, minmax(0, 1fr))",
    gap: tokens.spacingHorizontalS,
    margin: 0,
  },
  fact: { display: "flex", flexDirection: "column", margin: 0 },
  factLabel: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
  factValue: { fontSize: tokens.fontSizeBase400, fontWeight: tokens.fontWeightSemibold, margin: 0 },
  note: {
    display: "flex",
    gap: tokens.spacingHorizontalXS,
    alignItems: "flex-start",
    color: tokens.colorNeutralForeground2,
    fontSize: tokens.fontSizeBase200,
  },
  noteIcon: { flexShrink: 0, marginTop: "2px" },
  money: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS },
  moneyRow: { display: "flex", justifyContent: "space-between", alignItems: "center", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
  under: { color: tokens.colorPaletteDarkOrangeForeground1, fontWeight: tokens.fontWeightSemibold },
});

/// What the Plans page knows about a plan's money: its cost with the prices kept, its
/// free-seat warning level, and how to change both.
export interface PlanMoney {
  cost: PlanCost | undefined;
  currency: string | null;
  threshold: Threshold | undefined;
  onEdit: () => void;
}

/// Whether a plan's free seats are under its warning level: fewer than N, or fewer than N %
/// of its seats (as licensing::money::Threshold::crossed).
export function underThreshold(plan: SkuSummary, threshold: Threshold | undefined): boolean {
  if (!threshold) return false;
  return threshold.kind === "seats" ? plan.free < threshold.value : plan.free * 100 < threshold.value * plan.enabled;
}

export function thresholdText(threshold: Threshold): string {
  return threshold.kind === "seats" ? String(threshold.value) : `${threshold.value}%`;
}

/// Few enough seats left to warn about: 2, or 5 % of the plan for big ones.
function almostFull(plan: SkuSummary): boolean {
  return plan.assignable && plan.free > 0 && plan.free <= Math.max(2, Math.ceil(plan.enabled * 0.05));
}

function barColor(plan: SkuSummary): "brand" | "warning" | "error" {
  if (plan.free === 0) return "error";
  if (almostFull(plan)) return "warning";
  return "brand";
}

/// One license plan: its name, state, how many seats are available (in words, big) and a bar
/// of how many are in use.
export function PlanCard({ plan, money }: { plan: SkuSummary; money?: PlanMoney }) {
  const { t, n, locale } = useI18n();
  const styles = useStyles();
  const total = plan.enabled;
  const overAssigned = plan.consumed - (plan.enabled + plan.warning);
  const graceExtra = plan.freeWithGrace - plan.free;
  const headingId = `plan-${plan.skuId}`;

  const notes: { key: string; icon: ReactElement; text: string }[] = [];
  if (plan.appliesTo === "Company") {
    notes.push({ key: "company", icon: <Building16Regular />, text: t.companyOnly });
  } else if (!plan.assignable) {
    notes.push({ key: "blocked", icon: <Info16Regular />, text: t.notAssignable });
  } else if (plan.free === 0 && graceExtra === 0) {
    notes.push({ key: "none", icon: <Warning16Regular />, text: t.noneLeft });
  } else if (almostFull(plan)) {
    notes.push({ key: "low", icon: <Warning16Regular />, text: t.almostFull(n(plan.free)) });
  }
  if (plan.assignable && graceExtra > 0) {
    notes.push({ key: "grace", icon: <Info16Regular />, text: t.moreInGrace(n(graceExtra)) });
  }
  if (overAssigned > 0) {
    notes.push({ key: "over", icon: <Warning16Regular />, text: t.overAssigned(n(overAssigned)) });
  }

  return (
    <Card
      className={styles.card}
      role="article"
      aria-labelledby={headingId}
      data-testid="plan-card"
      data-sku-id={plan.skuId}
      data-sku-part={plan.skuPartNumber}
    >
      <div className={styles.head}>
        <div className={styles.names}>
          <h3 className={styles.name} id={headingId} data-testid="plan-name">
            {plan.displayName}
          </h3>
          <Caption1 className={styles.part}>{plan.skuPartNumber}</Caption1>
        </div>
        <StatusBadge status={plan.capabilityStatus} />
      </div>

      {plan.assignable ? (
        <>
          <div
            className={styles.available}
            role="group"
            aria-label={t.availableOf(n(plan.free), n(total))}
          >
            <span
              className={styles.bigNumber}
              data-testid="plan-free"
              data-value={plan.free}
              aria-hidden
            >
              {n(plan.free)}
            </span>
            <Text aria-hidden data-testid="plan-total" data-value={total}>
              {t.ofTotalAvailable(n(total))}
            </Text>
          </div>
          <ProgressBar
            value={total > 0 ? Math.min(plan.consumed / total, 1) : 1}
            color={barColor(plan)}
            thickness="large"
            aria-label={t.seatsUsedLabel(n(plan.consumed), n(total))}
            data-testid="plan-bar"
          />
        </>
      ) : (
        // Seats of a plan nobody can be given are not "available": say what it is instead.
        <Text className={styles.unavailable} data-testid="plan-unavailable">
          {plan.appliesTo === "Company" ? t.organisationUnits(n(total)) : t.noneAvailable}
        </Text>
      )}

      <dl className={styles.facts}>
        <div className={styles.fact}>
          <dt className={styles.factLabel}>{t.assigned}</dt>
          <dd className={styles.factValue} data-testid="plan-consumed" data-value={plan.consumed}>
            {n(plan.consumed)}
          </dd>
        </div>
        <div className={styles.fact}>
          <dt className={styles.factLabel}>{t.inGrace}</dt>
          <dd className={styles.factValue} data-testid="plan-warning" data-value={plan.warning}>
            {n(plan.warning)}
          </dd>
        </div>
        <div className={styles.fact}>
          <dt className={styles.factLabel}>
            {plan.lockedOut > 0 && plan.suspended === 0 ? t.lockedOutUnits : t.suspendedUnits}
          </dt>
          <dd
            className={styles.factValue}
            data-testid="plan-suspended"
            data-value={plan.suspended + plan.lockedOut}
          >
            {n(plan.suspended + plan.lockedOut)}
          </dd>
        </div>
      </dl>

      {money && underThreshold(plan, money.threshold) && money.threshold ? (
        <div className={`${styles.note} ${styles.under}`} data-testid="plan-under-threshold">
          <span className={styles.noteIcon} aria-hidden>
            <Warning16Regular />
          </span>
          <span>{t.money.underThreshold(thresholdText(money.threshold))}</span>
        </div>
      ) : null}

      {notes.map((note) => (
        <div className={styles.note} key={note.key} data-testid={`plan-note-${note.key}`}>
          <span className={styles.noteIcon} aria-hidden>
            {note.icon}
          </span>
          <span>{note.text}</span>
        </div>
      ))}

      {money ? (
        <div className={styles.money}>
          <div className={styles.moneyRow}>
            <Text data-testid="plan-monthly-cost">
              {money.cost?.monthlyCents != null ? t.money.monthly(formatMoney(money.cost.monthlyCents, money.currency, locale)) : t.money.noPrice}
            </Text>
            <Button size="small" appearance="subtle" onClick={money.onEdit} aria-label={t.money.editTitle(plan.displayName)} data-testid="plan-edit-money">
              {t.money.setPrice}
            </Button>
          </div>
          {money.cost?.unassignedCents != null && money.cost.unassigned > 0 ? (
            <Caption1 data-testid="plan-unassigned-cost">
              {t.money.unassignedCost(n(money.cost.unassigned), formatMoney(money.cost.unassignedCents, money.currency, locale))}
            </Caption1>
          ) : null}
        </div>
      ) : null}
    </Card>
  );
}
