// Past 600 lines: the change flow and the steps it shares with Import and History (review,
// run, result). Splitting Review and Result into files of their own is the next step.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  Badge,
  Button,
  Checkbox,
  Dropdown,
  Field,
  MessageBar,
  MessageBarBody,
  Option,
  ProgressBar,
  Radio,
  RadioGroup,
  Spinner,
  Switch,
  Text,
  Title3,
  Tooltip,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { Approval } from "../bindings/Approval";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { CommandError } from "../bindings/CommandError";
import type { PlanPreview } from "../bindings/PlanPreview";
import type { RunProgress } from "../bindings/RunProgress";
import type { RunResult } from "../bindings/RunResult";
import type { ShortfallPolicy } from "../bindings/ShortfallPolicy";
import type { SkuSummary } from "../bindings/SkuSummary";
import type { WantedChange } from "../bindings/WantedChange";
import type { PersonOutcome } from "../bindings/PersonOutcome";
import type { PlanToAdd } from "../bindings/PlanToAdd";
import type { SavedPlan } from "../bindings/SavedPlan";
import type { RunLine } from "../bindings/RunLine";
import type { GroupRef } from "../bindings/GroupRef";
import type { GroupBrief } from "../bindings/GroupBrief";
import type { RoleView } from "../bindings/RoleView";
import type { RoleChoices } from "../bindings/RoleChoices";
import { roleWords } from "./roleWords";
import { toCommandError, useApi } from "../api";
import { useI18n, when } from "../i18n";
import { failureText, reasonText } from "../reasons";
import { CountryPicker, useCountryNames } from "./CountryPicker";
import { ErrorState } from "./ErrorState";
import { StepHeading } from "./StepHeading";

/// `leaveGroup`: leave the group `groupId` (from a license card in the panel); `role`: give a
/// role template.
export type ChangeKind = "give" | "take" | "swap" | "location" | "apps" | "leaveGroup" | "role";

const useStyles = makeStyles({
  page: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
    padding: `${tokens.spacingVerticalXL} ${tokens.spacingHorizontalXXL}`,
    maxWidth: "1100px",
  },
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, maxWidth: "520px" },
  buttons: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
  ledger: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fill, minmax(280px, 1fr))",
    gap: tokens.spacingHorizontalM,
  },
  seat: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
    padding: tokens.spacingVerticalM,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
  },
  seatNumbers: { fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold },
  short: { color: tokens.colorPaletteRedForeground1, fontWeight: tokens.fontWeightSemibold },
  list: {
    height: "360px",
    overflowY: "auto",
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  line: {
    display: "grid",
    gridTemplateColumns: "minmax(160px, 1fr) minmax(200px, 2fr) auto",
    gap: tokens.spacingHorizontalM,
    alignItems: "center",
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalM}`,
    borderBottom: `1px solid ${tokens.colorNeutralStroke3}`,
    height: "52px",
    boxSizing: "border-box",
  },
  who: { display: "flex", flexDirection: "column", minWidth: 0, overflow: "hidden" },
  upn: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200, whiteSpace: "nowrap", overflow: "hidden", textOverflow: "ellipsis" },
  fix: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "flex-end", flexWrap: "wrap" },
});

type Step =
  | { step: "choose" }
  | { step: "planning" }
  | { step: "review"; preview: PlanPreview };

type RunStep =
  | { step: "planning" }
  | { step: "review"; preview: PlanPreview }
  | { step: "running"; progress: RunProgress | null; cancelling: boolean }
  | { step: "done"; result: RunResult };

/// A change for one or many people: choose it, review exactly what will happen (nothing is
/// sent before Apply), apply it with progress, read the result.
export function ChangeFlow({
  ids,
  kind,
  presetSku,
  apps,
  groupId,
  personName,
  onClose,
}: {
  ids: string[];
  kind: ChangeKind;
  presetSku?: string;
  /// The person's name, when the change is for one person (from their panel).
  personName?: string;
  /// For a change of apps: each license's service plans to have off afterwards.
  apps?: PlanToAdd[];
  /// For leaving a group: the group.
  groupId?: string;
  /// `changed` is true when something was applied (the list re-reads).
  onClose: (changed: boolean) => void;
}) {
  const api = useApi();
  const { t, n } = useI18n();
  const styles = useStyles();
  const [plans, setPlans] = useState<SkuSummary[]>([]);
  // A swap starts from the plan taken away; the plan to give instead is the person's choice.
  const [sku, setSku] = useState<string | null>(kind === "give" || kind === "swap" ? null : (presetSku ?? null));
  const [fromSku, setFromSku] = useState<string | null>(kind === "swap" ? (presetSku ?? null) : null);
  const [keepOff, setKeepOff] = useState(true);
  const [country, setCountry] = useState<string | null>(null);
  const [policy, setPolicy] = useState<ShortfallPolicy>("nobody");
  const [state, setState] = useState<Step>({ step: "choose" });
  const [error, setError] = useState<CommandError>();
  const [role, setRole] = useState<string | null>(null);
  const [roles, setRoles] = useState<RoleView[]>();
  /// Groups that already give the plan chosen (offered instead of a direct license).
  const [offered, setOffered] = useState<GroupBrief[]>([]);
  /// A plan made some other way than `planChange` (a group, a role): planned again the same way.
  const again = useRef<(() => Promise<PlanPreview>) | null>(null);

  useEffect(() => {
    api.listPlans().then(setPlans, (e: unknown) => setError(toCommandError(e)));
  }, [api]);
  const [roleChoices, setRoleChoices] = useState<RoleChoices>();
  useEffect(() => {
    if (kind !== "role") return;
    api.rolesGet().then((v) => setRoles(v.roles), (e: unknown) => setError(toCommandError(e)));
    // Only for the words (friendly app names): without them the technical names show.
    api.rolesChoices().then(setRoleChoices, () => undefined);
  }, [api, kind]);
  useEffect(() => {
    setOffered([]);
    if (kind !== "give" || !sku) return;
    let current = true;
    // Best effort: without the groups, giving directly still works.
    api.groupsGiving(sku).then((g) => current && setOffered(g.filter((x) => !x.dynamic)), () => undefined);
    return () => {
      current = false;
    };
  }, [api, kind, sku]);

  /// Plans some other way than planChange, and keeps how, for planning again.
  const planOther = useCallback(
    (how: () => Promise<PlanPreview>) => {
      again.current = how;
      setError(undefined);
      setState({ step: "planning" });
      how().then(
        (preview) => setState({ step: "review", preview }),
        (e: unknown) => {
          setError(toCommandError(e));
          setState({ step: "choose" });
        },
      );
    },
    [],
  );

  const planName = useCallback(
    (id: string) => plans.find((p) => p.skuId.toLowerCase() === id.toLowerCase())?.displayName ?? id,
    [plans],
  );

  const change = useCallback(
    (location: string | null): WantedChange | null => {
      switch (kind) {
        case "give":
          return sku
            ? {
                add: [{ skuId: sku, disabledPlans: [] }],
                remove: [],
                usageLocation: location ? { scope: "whereMissing", country: location } : null,
                keepDisabledPlans: false,
                asDirect: false,
                apps: [],
                joinGroups: [],
                leaveGroups: [],
              }
            : null;
        case "take":
          return sku ? { add: [], remove: [sku], usageLocation: null, keepDisabledPlans: false, asDirect: false, apps: [], joinGroups: [], leaveGroups: [] } : null;
        case "swap":
          return sku && fromSku && sku !== fromSku
            ? { add: [{ skuId: sku, disabledPlans: [] }], remove: [fromSku], usageLocation: null, keepDisabledPlans: keepOff, asDirect: false, apps: [], joinGroups: [], leaveGroups: [] }
            : null;
        case "location":
          return location ? { add: [], remove: [], usageLocation: { scope: "everyone", country: location }, keepDisabledPlans: false, asDirect: false, apps: [], joinGroups: [], leaveGroups: [] } : null;
        case "apps":
          return apps && apps.length > 0 ? { add: [], remove: [], usageLocation: null, keepDisabledPlans: false, asDirect: false, apps, joinGroups: [], leaveGroups: [] } : null;
        case "leaveGroup":
        case "role":
          return null;
      }
    },
    [kind, sku, fromSku, keepOff, apps],
  );

  const review = useCallback(
    (location: string | null, shortfall: ShortfallPolicy) => {
      const wanted = change(location);
      if (!wanted) return;
      again.current = null;
      setError(undefined);
      setState({ step: "planning" });
      api.planChange(ids, wanted, shortfall).then(
        (preview) => setState({ step: "review", preview }),
        (e: unknown) => {
          setError(toCommandError(e));
          setState({ step: "choose" });
        },
      );
    },
    [api, change, ids],
  );

  // Switched apps were chosen in the panel: straight to the review.
  const started = useRef(false);
  useEffect(() => {
    if (kind === "apps" && !started.current) {
      started.current = true;
      review(null, "nobody");
    }
    if (kind === "leaveGroup" && groupId && !started.current) {
      started.current = true;
      planOther(() => api.groupsPlanMembership(groupId, ids, false));
    }
  }, [kind, review, planOther, api, groupId, ids]);

  const title = { give: t.change.giveTitle, take: t.change.takeTitle, swap: t.change.swapTitle, location: t.change.locationTitle, apps: t.change.appsTitle, leaveGroup: t.person.removeFromGroup.replace("…", ""), role: role ? t.roles.giveNamed(role) : t.roles.giveTitle }[kind];
  const userPlans = plans.filter((p) => p.appliesTo === "User");
  const planOption = (p: SkuSummary) => (
    <Option key={p.skuId} value={p.skuId} text={p.displayName} disabled={kind !== "take" && (kind === "swap" ? false : !p.assignable)}>
      {`${p.displayName} — ${t.change.available(n(p.free))}`}
    </Option>
  );

  if ((kind === "apps" || kind === "leaveGroup") && (state.step === "choose" || state.step === "planning")) {
    // The switches were chosen in the panel: there is nothing to choose here, only the plan
    // being worked out (or why it could not be).
    return (
      <section className={styles.page} aria-labelledby="change-title" data-testid="change-flow">
        <StepHeading id="change-title">{title}</StepHeading>
        {error ? <ErrorState title={title} error={error} /> : <Spinner label={t.preview.planning} />}
        <div className={styles.buttons}>
          <Button onClick={() => onClose(false)}>{t.change.back}</Button>
        </div>
      </section>
    );
  }

  if (kind === "role" && (state.step === "choose" || state.step === "planning")) {
    const chosen = roles?.find((r) => r.role.name === role);
    return (
      <section className={styles.page} aria-labelledby="change-title" data-testid="change-flow">
        <StepHeading id="change-title">{title}</StepHeading>
        <Text>{t.change.forPeople(ids.length, n(ids.length), ids.length === 1 ? (personName ?? null) : null)}</Text>
        {error ? <ErrorState title={title} error={error} /> : null}
        {roles === undefined && !error ? <Spinner label={t.roles.loading} /> : null}
        {roles && roles.length === 0 ? <MessageBar intent="info"><MessageBarBody>{t.roles.noRoles}</MessageBarBody></MessageBar> : null}
        {roles && roles.length > 0 ? (
          <div className={styles.form}>
            <Field label={t.roles.chooseRole} required>
              <Dropdown
                placeholder={t.roles.chooseRolePlaceholder}
                selectedOptions={role ? [role] : []}
                value={role ?? ""}
                onOptionSelect={(_, d) => setRole(d.optionValue ?? null)}
                data-testid="role-choice"
              >
                {roles.map((r) => (
                  <Option key={r.role.name} value={r.role.name} text={r.role.name} disabled={r.problems.length > 0}>
                    {r.problems.length > 0 ? t.roles.brokenChoice(r.role.name) : r.role.name}
                  </Option>
                ))}
              </Dropdown>
            </Field>
            {chosen ? <Text data-testid="role-gives">{roleWords(chosen.role, roleChoices, t)}</Text> : null}
          </div>
        ) : null}
        <div className={styles.buttons}>
          <Button onClick={() => onClose(false)}>{t.change.back}</Button>
          <Button
            appearance="primary"
            disabled={!chosen || chosen.problems.length > 0 || state.step === "planning"}
            onClick={() => role && planOther(() => api.rolePlan(role, ids))}
            data-testid="change-review"
          >
            {state.step === "planning" ? <Spinner size="tiny" /> : t.change.review}
          </Button>
        </div>
      </section>
    );
  }

  if (state.step === "choose" || state.step === "planning") {
    const ready = change(kind === "location" || kind === "give" ? country : null) !== null;
    return (
      <section className={styles.page} aria-labelledby="change-title" data-testid="change-flow">
        <StepHeading id="change-title">{title}</StepHeading>
        <Text>{t.change.forPeople(ids.length, n(ids.length), ids.length === 1 ? (personName ?? null) : null)}</Text>
        {error ? <ErrorState title={title} error={error} /> : null}
        <div className={styles.form}>
          {kind === "swap" ? (
            <Field label={t.change.fromPlan} required>
              <Dropdown
                placeholder={t.change.choosePlan}
                selectedOptions={fromSku ? [fromSku] : []}
                value={fromSku ? planName(fromSku) : ""}
                onOptionSelect={(_, d) => setFromSku(d.optionValue ?? null)}
                data-testid="change-from"
              >
                {userPlans.map(planOption)}
              </Dropdown>
            </Field>
          ) : null}
          {kind !== "location" ? (
            <Field label={kind === "swap" ? t.change.toPlan : t.change.plan} required>
              <Dropdown
                placeholder={t.change.choosePlan}
                selectedOptions={sku ? [sku] : []}
                value={sku ? planName(sku) : ""}
                onOptionSelect={(_, d) => setSku(d.optionValue ?? null)}
                data-testid="change-plan"
              >
                {userPlans.map(planOption)}
              </Dropdown>
            </Field>
          ) : null}
          {kind === "swap" ? (
            <Checkbox checked={keepOff} onChange={(_, d) => setKeepOff(d.checked === true)} label={t.change.keepOff} />
          ) : null}
          {kind === "give" || kind === "location" ? (
            <Field label={kind === "give" ? t.change.setMissingLocation : t.change.country} required={kind === "location"}>
              <CountryPicker
                value={country}
                onChange={setCountry}
                label={kind === "give" ? t.change.setMissingLocation : t.change.country}
                placeholder={kind === "give" ? t.change.noCountry : t.change.chooseCountry}
                testId="change-country"
              />
            </Field>
          ) : null}
        </div>
        {kind === "give" && sku && offered.length > 0 ? (
          <MessageBar intent="info" layout="multiline" data-testid="group-offer">
            <MessageBarBody>
              <Text>{t.change.groupOffer(offered.map((g) => `“${g.displayName}”`).join(", "), planName(sku))}</Text>
              <div className={styles.buttons}>
                {offered.map((g) => (
                  <Button
                    key={g.id}
                    appearance="primary"
                    onClick={() => planOther(() => api.groupsPlanMembership(g.id, ids, true))}
                    data-testid="group-offer-join"
                  >
                    {t.change.addToGroupInstead(`“${g.displayName}”`)}
                  </Button>
                ))}
              </div>
              <Text>{t.change.orDirect}</Text>
            </MessageBarBody>
          </MessageBar>
        ) : null}
        <div className={styles.buttons}>
          <Button onClick={() => onClose(false)}>{t.change.back}</Button>
          <Button
            appearance="primary"
            disabled={!ready || state.step === "planning"}
            onClick={() => review(kind === "location" || kind === "give" ? country : null, policy)}
            data-testid="change-review"
          >
            {state.step === "planning" ? <Spinner size="tiny" /> : t.change.review}
          </Button>
        </div>
        {!ready && state.step !== "planning" ? (
          // Why Review is not available yet, in words (a greyed button alone says nothing).
          <Text data-testid="change-why-not" role="status">
            {kind === "swap" && sku && sku === fromSku
              ? t.change.chooseToPlan
              : kind === "location"
                ? t.change.chooseCountryFirst
                : kind === "swap" && fromSku
                  ? t.change.chooseToPlan
                  : t.change.choosePlanFirst}
          </Text>
        ) : null}
      </section>
    );
  }

  return (
    <RunSteps
      first={state.preview}
      title={title}
      replan={(p) => {
        setPolicy(p);
        if (again.current) return again.current();
        const wanted = change(country);
        return wanted ? api.planChange(ids, wanted, p) : Promise.reject(new Error("no change"));
      }}
      policy={policy}
      onFixLocation={
        kind === "give"
          ? (code) => {
              setCountry(code);
              const wanted = change(code);
              return wanted ? api.planChange(ids, wanted, policy) : Promise.reject(new Error("no change"));
            }
          : undefined
      }
      onBack={() => (kind === "apps" || kind === "leaveGroup" ? onClose(false) : setState({ step: "choose" }))}
      onClose={onClose}
    />
  );
}

/// Review → apply with progress → result, for any plan: one chosen on the Users page or the
/// rows of an HR file. `replan` plans again with another shortfall policy.
export function RunSteps({
  first,
  title,
  replan,
  policy,
  onFixLocation,
  onBack,
  onClose,
  closeLabel,
  canSave = true,
  undo = false,
}: {
  first: PlanPreview;
  title: string;
  replan: (policy: ShortfallPolicy) => Promise<PlanPreview>;
  policy: ShortfallPolicy;
  /// Sets a usage location for those without one and plans again (giving a license only).
  onFixLocation?: (code: string) => Promise<PlanPreview>;
  onBack: () => void;
  /// `changed` is true when something was applied.
  onClose: (changed: boolean) => void;
  /// The result's last button ("Back to users" unless said otherwise).
  closeLabel?: string;
  /// Offer "Save for approval…" (not for an undo, nor for a plan being approved).
  canSave?: boolean;
  /// The review of an undo: titled and buttoned as one.
  undo?: boolean;
}) {
  const api = useApi();
  const { t, n } = useI18n();
  const styles = useStyles();
  const { name: countryName } = useCountryNames();
  const [state, setState] = useState<RunStep>({ step: "review", preview: first });
  const [error, setError] = useState<CommandError>();
  const [applied, setApplied] = useState(false);
  const [shown, setShown] = useState(first);

  const plan = useCallback((next: Promise<PlanPreview>) => {
    setError(undefined);
    setState({ step: "planning" });
    next.then(
      (preview) => {
        setShown(preview);
        setState({ step: "review", preview });
      },
      (e: unknown) => {
        setError(toCommandError(e));
        setState((s) => (s.step === "planning" ? { step: "review", preview: shown } : s));
      },
    );
  }, [shown]);

  const apply = useCallback(() => {
    setState({ step: "running", progress: null, cancelling: false });
    setApplied(true);
    api
      .applyPlan((progress) =>
        setState((s) => (s.step === "running" ? { ...s, progress } : s)),
      )
      .then(
        (result) => setState({ step: "done", result }),
        (e: unknown) => {
          setError(toCommandError(e));
          setState({ step: "review", preview: shown });
        },
      );
  }, [api, shown]);

  if (state.step === "planning") {
    return (
      <section className={styles.page} data-testid="planning">
        <Spinner label={t.preview.planning} />
      </section>
    );
  }

  if (state.step === "review") {
    const planName = (id: string) => state.preview.planNames[id.toLowerCase()] ?? id;
    return (
      <>
        {error ? <div className={styles.page}><ErrorState title={title} error={error} /></div> : null}
        <Review
          preview={state.preview}
          title={title}
          planName={planName}
          countryName={countryName}
          policy={policy}
          onPolicy={(p) => plan(replan(p))}
          onFixLocation={(code) => onFixLocation && plan(onFixLocation(code))}
          canFixLocation={onFixLocation !== undefined}
          onBack={onBack}
          onApply={apply}
          // A change of group membership is applied here: plan files carry license changes.
          canSave={canSave && !state.preview.approval && !state.preview.plan.people.some((p) => p.joinGroups.length + p.leaveGroups.length > 0)}
          undo={undo}
          styles={styles}
        />
      </>
    );
  }

  if (state.step === "running") {
    const p = state.progress;
    const finished = p ? p.done + p.failed : 0;
    const minutes = (s: number) => (s >= 90 ? `${Math.ceil(s / 60)} min` : `${s} s`);
    return (
      <section className={styles.page} aria-labelledby="run-title" data-testid="run">
        <StepHeading id="run-title">{t.run.title}</StepHeading>
        <ProgressBar value={p && p.total > 0 ? finished / p.total : undefined} thickness="large" aria-labelledby="run-title" />
        <Text role="status" aria-live="polite" data-testid="run-progress">
          {p ? t.run.progress(n(p.done), n(p.total)) : t.users.loading}
          {p && p.failed > 0 ? ` · ${t.run.failed(n(p.failed))}` : ""}
          {p && p.perSecond > 0 ? ` · ${t.run.rate(p.perSecond.toFixed(1))}` : ""}
          {p && p.secondsLeft !== null ? ` · ${t.run.left(minutes(p.secondsLeft))}` : ""}
        </Text>
        {p?.paused ? <MessageBar intent="warning"><MessageBarBody>{t.run.paused}</MessageBarBody></MessageBar> : null}
        {state.cancelling ? <MessageBar intent="info"><MessageBarBody>{t.run.cancelling}</MessageBarBody></MessageBar> : null}
        <div className={styles.buttons}>
          {p?.paused ? (
            <Button onClick={() => void api.resumeRun()} data-testid="run-resume">{t.run.resume}</Button>
          ) : (
            <Button onClick={() => void api.pauseRun()} data-testid="run-pause">{t.run.pause}</Button>
          )}
          <Button
            onClick={() => {
              setState((s) => (s.step === "running" ? { ...s, cancelling: true } : s));
              void api.cancelRun();
            }}
            data-testid="run-cancel"
          >
            {t.run.cancel}
          </Button>
        </div>
      </section>
    );
  }

  return (
    <Result
      result={state.result}
      onRetry={() => plan(api.planRetry())}
      onClose={() => onClose(applied)}
      closeLabel={closeLabel}
      countryName={countryName}
      styles={styles}
    />
  );
}

type Styles = ReturnType<typeof useStyles>;



function outcomeText(o: PersonOutcome, preview: PlanPreview, t: ReturnType<typeof useI18n>["t"], countryName: (c: string) => string) {
  const plan = (id: string) => preview.planNames[id.toLowerCase()] ?? id;
  const group = (id: string) => (preview.groupNames[id] ? `“${preview.groupNames[id]}”` : id);
  const parts: string[] = [];
  if (o.setUsageLocation) {
    const before = preview.usageLocationsBefore[o.userId];
    parts.push(
      before && before !== o.setUsageLocation
        ? t.preview.willChangeLocation(countryName(before), countryName(o.setUsageLocation))
        : t.preview.willSetLocation(countryName(o.setUsageLocation)),
    );
  }
  switch (o.action) {
    case "add":
      parts.push(t.preview.willGive(o.add.map((a) => plan(a.skuId)).join(", ")));
      // Apps switched off in a license given new (a role's).
      for (const s of preview.appSwitches[o.userId] ?? []) parts.push(t.preview.willSwitchApps(plan(s.skuId), s.on, s.off));
      break;
    case "remove":
      parts.push(t.preview.willTake(o.remove.map(plan).join(", ")));
      break;
    case "swap":
      parts.push(t.preview.willSwap(o.remove.map(plan).join(", "), o.add.map((a) => plan(a.skuId)).join(", ")));
      break;
    case "apps":
      for (const s of preview.appSwitches[o.userId] ?? []) parts.push(t.preview.willSwitchApps(plan(s.skuId), s.on, s.off));
      break;
    case "membership": {
      const groups = (list: GroupRef[]) => list.map((g) => `“${g.displayName}”`).join(", ");
      const plans = (list: GroupRef[]) => [...new Set(list.flatMap((g) => g.skuIds.map(plan)))].join(", ");
      if (o.joinGroups.length > 0) parts.push(t.preview.willJoin(groups(o.joinGroups), plans(o.joinGroups)));
      if (o.leaveGroups.length > 0) parts.push(t.preview.willLeave(groups(o.leaveGroups), plans(o.leaveGroups)));
      break;
    }
    default:
      if (o.reason) parts.push(reasonText(o.reason, t, plan, group));
  }
  return parts.join(" · ");
}

function Review({
  preview,
  title,
  planName,
  countryName,
  policy,
  onPolicy,
  onFixLocation,
  canFixLocation,
  onBack,
  onApply,
  canSave,
  undo,
  styles,
}: {
  preview: PlanPreview;
  title: string;
  planName: (id: string) => string;
  countryName: (code: string) => string;
  policy: ShortfallPolicy;
  onPolicy: (p: ShortfallPolicy) => void;
  onFixLocation: (code: string) => void;
  canFixLocation: boolean;
  onBack: () => void;
  onApply: () => void;
  canSave: boolean;
  undo: boolean;
  styles: Styles;
}) {
  const { t, n, locale } = useI18n();
  const api = useApi();
  const [saved, setSaved] = useState<SavedPlan>();
  const [saveError, setSaveError] = useState<CommandError>();
  const save = () => {
    setSaved(undefined);
    setSaveError(undefined);
    api.planSaveFile(locale).then(
      (plan) => plan && setSaved(plan),
      (e: unknown) => setSaveError(toCommandError(e)),
    );
  };
  const [fixCountry, setFixCountry] = useState<string | null>(null);
  const people = preview.plan.people;
  const count = (a: string) => people.filter((p) => p.action === a).length;
  const noLocation = people.filter((p) => p.reason?.code === "noUsageLocation").length;
  const short = preview.plan.seats.some((s) => s.shortfall > 0);
  const changing = count("add") + count("remove") + count("swap") + count("apps") + count("membership") + people.filter((p) => p.action === "none" && p.setUsageLocation).length;
  const givenPlan = preview.plan.seats.find((s) => s.taken > 0);
  const confirm = t.preview.confirm(
    title,
    changing,
    n(changing),
    givenPlan ? t.preview.seatsLeft(planName(givenPlan.skuId), givenPlan.freeAfter, n(givenPlan.freeAfter)) : "",
  );
  const listRef = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: people.length, getScrollElement: () => listRef.current, estimateSize: () => 52, overscan: 10, initialRect: { width: 1000, height: 360 } });

  return (
    <section className={styles.page} aria-labelledby="review-title" data-testid="review">
      <StepHeading id="review-title">{undo ? t.preview.undoTitle : t.preview.title}</StepHeading>
      {preview.approval ? <ApprovalNote approval={preview.approval} planName={planName} /> : null}
      {preview.plan.seats.length > 0 ? (
        <>
          <Title3>{t.preview.seats}</Title3>
          <div className={styles.ledger} data-testid="ledger">
            {preview.plan.seats.map((s) => (
              <div key={s.skuId} className={styles.seat} data-testid={`ledger-${s.skuPartNumber}`}>
                <Text weight="semibold">{planName(s.skuId)}</Text>
                <Text className={styles.seatNumbers}>
                  {n(s.freeBefore)} → {n(s.freeAfter)}
                </Text>
                <Text>{t.preview.seatLine(planName(s.skuId), n(s.freeBefore), n(s.freeAfter))}</Text>
                <Text>
                  {t.preview.given(n(s.taken))} · {t.preview.freed(n(s.freed))}
                </Text>
                {s.shortfall > 0 ? (
                  <Text className={styles.short} data-testid="shortfall">⚠ {t.preview.short(n(s.shortfall))}</Text>
                ) : null}
              </div>
            ))}
          </div>
        </>
      ) : null}
      {short ? (
        <Field label={t.preview.shortfallQuestion}>
          <RadioGroup value={policy} onChange={(_, d) => onPolicy(d.value as ShortfallPolicy)} data-testid="shortfall-policy">
            <Radio value="partial" label={t.preview.partial} data-testid="policy-partial" />
            <Radio value="nobody" label={t.preview.nobody} data-testid="policy-nobody" />
          </RadioGroup>
        </Field>
      ) : null}
      {noLocation > 0 && canFixLocation ? (
        <MessageBar intent="warning" layout="multiline" data-testid="fix-location">
          <MessageBarBody>
            <div className={styles.fix}>
              <Text>{t.preview.fixNoLocation(n(noLocation))}</Text>
              <CountryPicker value={fixCountry} onChange={setFixCountry} label={t.change.country} placeholder={t.change.chooseCountry} testId="fix-country" />
              <Button disabled={!fixCountry} onClick={() => fixCountry && onFixLocation(fixCountry)} data-testid="fix-apply">
                {t.preview.fixSetTo(fixCountry ? countryName(fixCountry) : "…")}
              </Button>
            </div>
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {preview.leftAlone.length > 0 ? (
        <MessageBar intent="warning" layout="multiline" data-testid="left-alone">
          <MessageBarBody>
            <Text>{t.history.leftAlone(n(preview.leftAlone.length))}</Text>
            <ul>
              {preview.leftAlone.slice(0, 20).map((a) => (
                <li key={a.userPrincipalName}>{`${a.displayName} (${a.userPrincipalName})`}</li>
              ))}
            </ul>
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <Title3>{t.preview.people}</Title3>
      <Text data-testid="review-counts">
        {t.preview.counts(
          {
            give: count("add"),
            take: count("remove"),
            swap: count("swap"),
            apps: count("apps"),
            join: people.filter((p) => p.action === "membership" && p.joinGroups.length > 0).length,
            leave: people.filter((p) => p.action === "membership" && p.leaveGroups.length > 0).length,
            blocked: count("blocked"),
            nothing: people.filter((p) => p.action === "none" && !p.setUsageLocation).length,
            located: people.filter((p) => p.action === "none" && p.setUsageLocation).length,
          },
          n,
        )}
      </Text>
      <div ref={listRef} className={styles.list} style={{ height: Math.min(360, people.length * 52 + 2) }} role="list" data-testid="review-list">
        <div style={{ height: virtual.getTotalSize(), position: "relative" }}>
          {virtual.getVirtualItems().map((item) => {
            const o = people[item.index]!;
            return (
              <div
                key={o.userId}
                role="listitem"
                className={styles.line}
                style={{ position: "absolute", top: 0, left: 0, right: 0, transform: `translateY(${item.start}px)` }}
                data-testid="review-line"
              >
                <div className={styles.who}>
                  <Text weight="semibold" truncate wrap={false}>{o.displayName}</Text>
                  <span className={styles.upn}>{o.userPrincipalName}</span>
                </div>
                <Text>{outcomeText(o, preview, t, countryName)}</Text>
                {o.action === "blocked" ? <Badge color="danger" appearance="tint">{t.preview.blocked}</Badge> : o.action === "none" && !o.setUsageLocation ? <Badge color="informative" appearance="tint">{t.preview.nothing}</Badge> : null}
              </div>
            );
          })}
        </div>
      </div>
      {changing === 0 ? <MessageBar intent="info"><MessageBarBody>{t.preview.nothingToApply}</MessageBarBody></MessageBar> : null}
      <Text weight="semibold" data-testid="review-confirm">{changing > 0 ? confirm : ""}</Text>
      <div className={styles.buttons}>
        <Button onClick={onBack} data-testid="review-back">{t.change.back}</Button>
        {canSave ? (
          <Tooltip content={t.approve.saveHint} relationship="description">
            <Button disabled={changing === 0} onClick={save} data-testid="review-save-plan">
              {t.approve.save}
            </Button>
          </Tooltip>
        ) : null}
        <Button appearance="primary" disabled={changing === 0} onClick={onApply} data-testid="review-apply">
          {undo ? t.preview.undoApply(changing, n(changing)) : t.preview.apply}
        </Button>
      </div>
      {saved ? (
        <MessageBar intent={saved.fingerprint ? "success" : "warning"} layout="multiline" data-testid="plan-saved">
          <MessageBarBody>
            {t.approve.saved(saved.path)}{" "}
            {saved.fingerprint ? t.approve.savedSigned(saved.fingerprint) : t.approve.savedUnsigned(saved.unsignedWhy ?? "")}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {saveError ? <ErrorState title={t.approve.save} error={saveError} /> : null}
    </section>
  );
}

/// Where a plan being approved came from, and what changed in the tenant since it was saved.
function ApprovalNote({ approval, planName }: { approval: Approval; planName: (id: string) => string }) {
  const { t, n, locale } = useI18n();
  const { drift } = approval;
  const drifted = drift.seats.length + drift.changed.length + drift.gone.length > 0;
  const names = (list: string[]) => (
    <ul>
      {list.slice(0, 20).map((upn) => (
        <li key={upn}>{upn}</li>
      ))}
      {list.length > 20 ? <li>…</li> : null}
    </ul>
  );
  return (
    <MessageBar intent={drifted || approval.trust.kind !== "trusted" ? "warning" : "info"} layout="multiline" data-testid="approval">
      <MessageBarBody>
        <Text block weight="semibold" size={400}>{t.approve.title(approval.fileName)}</Text>
        <Text block weight="semibold" data-testid="approval-signer">
          {approval.trust.kind === "trusted"
            ? t.approve.signedTrusted(approval.trust.name, approval.trust.fingerprint, approval.trust.byPolicy)
            : approval.trust.kind === "unknownKey"
              ? t.approve.signedUnknown(approval.trust.fingerprint)
              : t.approve.unsigned}
        </Text>
        <Text block data-testid="approval-claims">{t.approve.claims(approval.what, approval.preparedBy, when(approval.preparedAt, locale))}</Text>
        <Text block weight="semibold" data-testid="drift">
          {drifted ? t.approve.drifted : t.approve.noDrift}
        </Text>
        {drifted ? (
          <ul data-testid="drift-list">
            {drift.seats.map((s) => (
              <li key={s.skuId}>{t.approve.seat(planName(s.skuId), n(s.then), n(s.now))}</li>
            ))}
            {drift.changed.length > 0 ? (
              <li>
                {t.approve.changed(n(drift.changed.length))}
                {names(drift.changed)}
              </li>
            ) : null}
            {drift.gone.length > 0 ? (
              <li>
                {t.approve.gone(n(drift.gone.length))}
                {names(drift.gone)}
              </li>
            ) : null}
          </ul>
        ) : null}
      </MessageBarBody>
    </MessageBar>
  );
}

function Result({
  result,
  onRetry,
  onClose,
  closeLabel,
  countryName,
  styles,
}: {
  result: RunResult;
  onRetry: () => void;
  onClose: () => void;
  closeLabel?: string;
  countryName: (code: string) => string;
  styles: Styles;
}) {
  const api = useApi();
  const { t, n, locale } = useI18n();
  const [onlyFailures, setOnlyFailures] = useState(result.failed > 0);
  const [saved, setSaved] = useState<string>();
  const [error, setError] = useState<CommandError>();
  const lines = useMemo(
    () => (onlyFailures ? result.lines.filter((l) => l.status !== "done") : result.lines),
    [onlyFailures, result],
  );
  const listRef = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: lines.length, getScrollElement: () => listRef.current, estimateSize: () => 52, overscan: 10, initialRect: { width: 1000, height: 360 } });
  const badge = (l: RunLine) => {
    switch (l.status) {
      case "done":
        return <Badge color="success" appearance="tint">{t.result.statusDone}</Badge>;
      case "failed":
        return <Badge color="danger" appearance="filled">{t.result.statusFailed}</Badge>;
      case "skipped":
        return <Badge color="warning" appearance="tint">{t.result.statusSkipped}</Badge>;
      case "notSent":
        return <Badge color="informative" appearance="tint">{t.result.statusNotSent}</Badge>;
    }
  };
  const what = (l: RunLine) =>
    [
      l.setUsageLocation ? t.preview.willSetLocation(countryName(l.setUsageLocation)) : null,
      l.action === "add" ? t.preview.willGive(l.add.join(", ")) : null,
      l.action === "remove" ? t.preview.willTake(l.remove.join(", ")) : null,
      l.action === "swap" ? t.preview.willSwap(l.remove.join(", "), l.add.join(", ")) : null,
      l.action === "apps" ? t.preview.willSwitchIn(l.add.join(", ")) : null,
      l.action === "membership" && l.add.length > 0 ? t.preview.joined(l.add.map((g) => `“${g}”`).join(", ")) : null,
      l.action === "membership" && l.remove.length > 0 ? t.preview.left(l.remove.map((g) => `“${g}”`).join(", ")) : null,
      // Reasons and failures in the UI's language; the engine's English only for a failure
      // it has no code for.
      l.reason
        ? reasonText(
            l.reason,
            t,
            (id) => result.planNames[id.toLowerCase()] ?? id,
            (id) => (result.groupNames[id] ? `“${result.groupNames[id]}”` : id),
          )
        : l.status === "notSent"
          ? t.result.notSentWhy
          : (l.failure && failureText(l.failure, t, (id) => result.planNames[id.toLowerCase()] ?? id)) ?? l.message,
    ]
      .filter(Boolean)
      .join(" · ");
  return (
    <section className={styles.page} aria-labelledby="result-title" data-testid="result">
      <StepHeading id="result-title">{result.cancelled ? t.result.cancelledTitle : t.result.titleFor(result.done, result.failed)}</StepHeading>
      <Text size={400} data-testid="result-summary">
        {t.result.summary(n(result.done), n(result.failed), n(result.skipped), n(result.notSent))}
      </Text>
      {result.runId ? <Text data-testid="result-run">{t.history.savedAsRun(result.runId)}</Text> : null}
      {error ? <ErrorState title={t.result.saveCsv} error={error} /> : null}
      {saved ? <MessageBar intent="success"><MessageBarBody>{t.result.savedTo(saved)}</MessageBarBody></MessageBar> : null}
      <Switch checked={onlyFailures} onChange={(_, d) => setOnlyFailures(d.checked)} label={t.result.onlyFailures} data-testid="result-only-failures" />
      <div ref={listRef} className={styles.list} style={{ height: Math.min(360, Math.max(lines.length, 1) * 52 + 2) }} role="list" data-testid="result-list">
        <div style={{ height: virtual.getTotalSize(), position: "relative" }}>
          {virtual.getVirtualItems().map((item) => {
            const l = lines[item.index]!;
            return (
              <div
                key={l.userId}
                role="listitem"
                className={styles.line}
                style={{ position: "absolute", top: 0, left: 0, right: 0, transform: `translateY(${item.start}px)` }}
                data-testid="result-line"
                title={l.details ?? undefined}
              >
                <div className={styles.who}>
                  <Text weight="semibold" truncate wrap={false}>{l.displayName}</Text>
                  <span className={styles.upn}>{l.userPrincipalName}</span>
                </div>
                <Text>{what(l)}</Text>
                {badge(l)}
              </div>
            );
          })}
        </div>
      </div>
      <div className={styles.buttons}>
        {result.failed + result.notSent > 0 ? (
          <Button onClick={onRetry} data-testid="result-retry">{t.result.retryFailed}</Button>
        ) : null}
        {result.runId ? (
          <Button
            onClick={() =>
              // The run's report from the journal, in the window's language: the same
              // columns and words as History's.
              api.saveRunReport(result.runId ?? "", false, locale).then(
                (path) => path && setSaved(path),
                (e: unknown) => setError(toCommandError(e)),
              )
            }
            data-testid="result-save"
          >
            {t.result.saveCsv}
          </Button>
        ) : null}
        <Button appearance="primary" onClick={onClose} data-testid="result-close">{closeLabel ?? t.result.close}</Button>
      </div>
    </section>
  );
}

