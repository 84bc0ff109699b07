import { useCallback, useEffect, useMemo, useState } from "react";
import {
  Button,
  Checkbox,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Option,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Title2,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { CommandError } from "../../bindings/CommandError";
import type { PlanPreview } from "../../bindings/PlanPreview";
import type { ReclaimReasons } from "../../bindings/ReclaimReasons";
import type { ReclaimRow } from "../../bindings/ReclaimRow";
import type { ReclaimScan } from "../../bindings/ReclaimScan";
import { toCommandError, useApi } from "../../api";
import { useI18n } from "../../i18n";
import { ErrorState } from "../../components/ErrorState";
import { RunSteps } from "../../components/ChangeFlow";
import { formatMoney } from "../../components/money";
import { Exclusions, LeaveOut } from "./Exclusions";

const useStyles = makeStyles({
  page: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
    padding: `${tokens.spacingVerticalXL} ${tokens.spacingHorizontalXXL}`,
    maxWidth: "1200px",
  },
  controls: { display: "flex", gap: tokens.spacingHorizontalXL, flexWrap: "wrap", alignItems: "flex-end" },
  reasons: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalS },
  days: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "flex-end" },
  tableBox: {
    overflowX: "auto",
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  upn: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200, display: "block", overflowWrap: "anywhere" },
  muted: { color: tokens.colorNeutralForeground3 },
  guess: { display: "flex", marginTop: tokens.spacingVerticalS },
  summary: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "center", flexWrap: "wrap" },
});

const DAY_CHOICES = [14, 30, 60, 90, 180];
const SHOWN = 200;

type View = { view: "list" } | { view: "review"; preview: PlanPreview };

/// Licenses that look wasted, why, and what taking them back frees; chosen ones go through the
/// same review, journal and undo as every change.
export function ReclaimPage() {
  const api = useApi();
  const { t, n, locale } = useI18n();
  const styles = useStyles();
  const [reasons, setReasons] = useState<ReclaimReasons>({
    disabled: true,
    inactive: true,
    neverSignedIn: true,
    redundant: true,
    guessFromAge: false,
  });
  const [days, setDays] = useState(90);
  const [typedDays, setTypedDays] = useState<string | null>(null);
  const [scan, setScan] = useState<ReclaimScan>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<CommandError>();
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [shown, setShown] = useState(SHOWN);
  const [view, setView] = useState<View>({ view: "list" });
  const [leaving, setLeaving] = useState<ReclaimRow | null>(null);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let current = true;
    setLoading(true);
    setError(undefined);
    // A short pause, so ticking several boxes reads the tenant once.
    const timer = setTimeout(() => {
      api.reclaimScan(days, reasons).then(
        (s) => {
          if (!current) return;
          setScan(s);
          // A guess from the account's age is never chosen for the person: they tick each one.
          const guessed = (r: ReclaimRow) => s.signIns !== "available" && r.reason === "neverSignedIn";
          setChosen(new Set(s.rows.filter((r) => r.reason !== "fromGroup" && !guessed(r)).map((r) => r.key)));
          setShown(SHOWN);
          setLoading(false);
        },
        (e: unknown) => {
          if (!current) return;
          setError(toCommandError(e));
          setLoading(false);
        },
      );
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [api, days, reasons, generation]);

  const rows = useMemo(() => scan?.rows ?? [], [scan]);
  const takeable = useMemo(() => rows.filter((r) => r.reason !== "fromGroup"), [rows]);
  const people = useMemo(() => new Set(rows.map((r) => r.userId)).size, [rows]);
  const chosenRows = takeable.filter((r) => chosen.has(r.key));
  const chosenCents = chosenRows.reduce((sum, r) => sum + (r.monthlyCents ?? 0), 0);
  const money = (cents: number) => formatMoney(cents, scan?.currency, locale);

  const why = (r: ReclaimRow): string => {
    const words = (reason: ReclaimRow["reason"] | null) =>
      reason === "disabled" ? t.reclaim.whyDisabled
      : reason === "inactive" ? t.reclaim.whyInactive(n(scan?.days ?? days))
      : reason === "neverSignedIn"
        ? scan?.signIns === "available" ? t.reclaim.whyNeverSignedIn : t.reclaim.whyOldAccount(n(scan?.days ?? days))
      : reason === "redundant" ? t.reclaim.whyRedundant(r.coveredByName ?? "")
      : "";
    return r.reason === "fromGroup" ? t.reclaim.whyFromGroup(words(r.because), r.groupName ?? "") : words(r.reason);
  };
  const lastSignIn = (r: ReclaimRow) =>
    scan && scan.signIns !== "available" ? t.reclaim.unknown
    : r.lastSignIn === null ? t.reclaim.never : new Date(r.lastSignIn * 1000).toLocaleDateString(locale, { dateStyle: "medium" });

  const review = useCallback(() => {
    setError(undefined);
    api.reclaimPlan([...chosen]).then(
      (preview) => setView({ view: "review", preview }),
      (e: unknown) => setError(toCommandError(e)),
    );
  }, [api, chosen]);

  if (view.view === "review") {
    return (
      <RunSteps
        first={view.preview}
        title={t.reclaim.reviewTitle}
        policy="nobody"
        replan={() => api.reclaimPlan([...chosen])}
        onBack={() => setView({ view: "list" })}
        onClose={(changed) => {
          setView({ view: "list" });
          if (changed) setGeneration((g) => g + 1);
        }}
        closeLabel={t.reclaim.back}
      />
    );
  }

  const allChosen = takeable.length > 0 && chosenRows.length === takeable.length;
  const toggle = (key: string, on: boolean) =>
    setChosen((c) => {
      const next = new Set(c);
      if (on) next.add(key);
      else next.delete(key);
      return next;
    });
  const reasonBox = (key: keyof ReclaimReasons, label: string) => (
    <Checkbox
      label={label}
      checked={reasons[key]}
      onChange={(_, d) => setReasons((r) => ({ ...r, [key]: d.checked === true }))}
      data-testid={`reclaim-reason-${key}`}
    />
  );
  const daysOption = typedDays !== null ? "other" : String(days);

  return (
    <section className={styles.page} aria-labelledby="reclaim-title" aria-busy={loading} data-testid="reclaim-page">
      <Title2 id="reclaim-title">{t.reclaim.title}</Title2>
      <Text>{t.reclaim.intro}</Text>
      <div className={styles.controls}>
        <div role="group" aria-label={t.reclaim.reasonsLabel} className={styles.reasons}>
          {reasonBox("disabled", t.reclaim.disabled)}
          {reasonBox("inactive", t.reclaim.inactive)}
          {reasonBox("neverSignedIn", t.reclaim.neverSignedIn)}
          {reasonBox("redundant", t.reclaim.redundant)}
        </div>
        <div className={styles.days}>
          <Field label={t.reclaim.daysLabel}>
            <Dropdown
              value={daysOption === "other" ? t.reclaim.otherDays : t.reclaim.days(n(days))}
              selectedOptions={[daysOption]}
              onOptionSelect={(_, d) => {
                if (d.optionValue === "other") setTypedDays(String(days));
                else if (d.optionValue) {
                  setTypedDays(null);
                  setDays(Number(d.optionValue));
                }
              }}
              data-testid="reclaim-days"
            >
              {DAY_CHOICES.map((d) => (
                <Option key={d} value={String(d)}>
                  {t.reclaim.days(n(d))}
                </Option>
              ))}
              <Option value="other">{t.reclaim.otherDays}</Option>
            </Dropdown>
          </Field>
          {typedDays !== null ? (
            <Field label={t.reclaim.typedDays}>
              <Input
                type="number"
                min={1}
                max={3650}
                value={typedDays}
                onChange={(_, d) => {
                  setTypedDays(d.value);
                  const v = Number(d.value);
                  if (Number.isInteger(v) && v >= 1 && v <= 3650) setDays(v);
                }}
                data-testid="reclaim-typed-days"
              />
            </Field>
          ) : null}
        </div>
        <Button onClick={() => setGeneration((g) => g + 1)} data-testid="reclaim-scan">
          {t.reclaim.scan}
        </Button>
      </div>

      {scan && scan.signIns !== "available" ? (
        <MessageBar intent="warning" data-testid="reclaim-no-sign-ins">
          <MessageBarBody>
            {scan.signIns === "noPremium" ? t.reclaim.noPremium : t.reclaim.noPermission}{" "}
            {scan.signIns === "noPremium" ? t.reclaim.noPremiumHow : t.reclaim.noPermissionHow}
            <Checkbox
              className={styles.guess}
              label={t.reclaim.guessFromAge}
              checked={reasons.guessFromAge}
              disabled={!reasons.neverSignedIn}
              onChange={(_, d) => setReasons((r) => ({ ...r, guessFromAge: d.checked === true }))}
              aria-describedby="reclaim-guess-hint"
              data-testid="reclaim-guess-from-age"
            />
            <Text id="reclaim-guess-hint" size={200} block>
              {t.reclaim.guessFromAgeHint(n(days))}
            </Text>
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {error ? <ErrorState title={t.reclaim.errorTitle} error={error} /> : null}

      {loading ? (
        <Spinner label={t.reclaim.scanning} data-testid="reclaim-loading" />
      ) : rows.length === 0 && !error ? (
        <div>
          <Text weight="semibold" block data-testid="reclaim-none">
            {t.reclaim.none}
          </Text>
          <Text className={styles.muted}>{t.reclaim.noneHint}</Text>
        </div>
      ) : rows.length > 0 ? (
        <>
          <div className={styles.summary} role="status" data-testid="reclaim-summary">
            <Text weight="semibold">{t.reclaim.summary(n(rows.length), n(people))}</Text>
            <Text>
              {t.reclaim.chosen(n(chosenRows.length), n(chosenRows.length))}
              {chosenCents > 0 ? ` ${t.reclaim.chosenMoney(money(chosenCents))}` : ""}
            </Text>
            <Button appearance="primary" disabled={chosenRows.length === 0} onClick={review} data-testid="reclaim-review">
              {t.reclaim.review(n(chosenRows.length))}
            </Button>
          </div>
          <div className={styles.tableBox}>
            <Table aria-label={t.reclaim.tableLabel} data-testid="reclaim-table">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell style={{ width: 48 }}>
                    <Checkbox
                      aria-label={t.reclaim.selectAll}
                      checked={allChosen ? true : chosenRows.length > 0 ? "mixed" : false}
                      onChange={(_, d) => setChosen(d.checked === true ? new Set(takeable.map((r) => r.key)) : new Set())}
                      data-testid="reclaim-all"
                    />
                  </TableHeaderCell>
                  <TableHeaderCell>{t.reclaim.colPerson}</TableHeaderCell>
                  <TableHeaderCell>{t.reclaim.colPlan}</TableHeaderCell>
                  <TableHeaderCell>{t.reclaim.colWhy}</TableHeaderCell>
                  <TableHeaderCell>{t.reclaim.colLastSignIn}</TableHeaderCell>
                  <TableHeaderCell>{t.reclaim.colCost}</TableHeaderCell>
                  <TableHeaderCell>{t.reclaim.colActions}</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {rows.slice(0, shown).map((r) => (
                  <TableRow key={r.key} data-testid="reclaim-row" data-reason={r.reason}>
                    <TableCell>
                      {r.reason === "fromGroup" ? null : (
                        <Checkbox
                          aria-label={t.reclaim.selectRow(r.planName, r.displayName)}
                          checked={chosen.has(r.key)}
                          onChange={(_, d) => toggle(r.key, d.checked === true)}
                          data-testid="reclaim-choose"
                        />
                      )}
                    </TableCell>
                    <TableCell>
                      {r.displayName}
                      <span className={styles.upn}>{r.userPrincipalName}</span>
                    </TableCell>
                    <TableCell>{r.planName}</TableCell>
                    <TableCell>{why(r)}</TableCell>
                    <TableCell>{lastSignIn(r)}</TableCell>
                    <TableCell>{r.monthlyCents !== null ? money(r.monthlyCents) : ""}</TableCell>
                    <TableCell>
                      <Button size="small" onClick={() => setLeaving(r)} aria-label={t.reclaim.excludeLabel(r.displayName)} data-testid="reclaim-exclude">
                        {t.reclaim.exclude}
                      </Button>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
          {rows.length > shown ? (
            <Button onClick={() => setShown((s) => s + SHOWN)} data-testid="reclaim-more">
              {t.reclaim.showMore(n(Math.min(SHOWN, rows.length - shown)))}
            </Button>
          ) : null}
        </>
      ) : null}

      <Exclusions
        scan={scan}
        onChanged={() => setGeneration((g) => g + 1)}
        onError={setError}
      />
      {leaving ? (
        <LeaveOut
          row={leaving}
          onClose={(changed) => {
            setLeaving(null);
            if (changed) setGeneration((g) => g + 1);
          }}
          onError={setError}
        />
      ) : null}
    </section>
  );
}
