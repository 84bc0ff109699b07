import { useCallback, useEffect, useRef, useState } from "react";
import {
  Badge,
  Button,
  Checkbox,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Spinner,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Tooltip,
  makeStyles,
  tokens,
  typographyStyles,
} from "@fluentui/react-components";
import type { CommandError } from "../../bindings/CommandError";
import type { GroupDetail } from "../../bindings/GroupDetail";
import type { MemberStanding } from "../../bindings/MemberStanding";
import type { MembersPage } from "../../bindings/MembersPage";
import type { PlanPreview } from "../../bindings/PlanPreview";
import type { ReprocessOutcome } from "../../bindings/ReprocessOutcome";
import { toCommandError, useApi } from "../../api";
import { useI18n } from "../../i18n";
import { ErrorState } from "../../components/ErrorState";
import { useGroupsStyles } from "./styles";
import { AddPeopleDialog } from "./AddPeopleDialog";

const useOwnStyles = makeStyles({
  title: { ...typographyStyles.title2, margin: 0, overflowWrap: "anywhere" },
  why: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS },
});

const SHOWN = 100;
/// After a reprocess, how often and how long the group is read again for its new states.
const WATCH_EVERY_MS = 2000;
const WATCH_TIMES = 15;

function stateOf(m: MemberStanding): "error" | "pending" | "active" {
  if (m.plans.some(([, s]) => s.state === "error")) return "error";
  if (m.plans.some(([, s]) => s.state === "pending")) return "pending";
  return "active";
}

function errorOf(m: MemberStanding): string | null {
  for (const [, s] of m.plans) if (s.state === "error") return s.error;
  return null;
}

/// One group: its members (searchable, paged), people in error with why and the fix,
/// Reprocess for the selected, and adding or removing members through the review.
export function GroupDetailView({
  id,
  onBack,
  onReview,
}: {
  id: string;
  onBack: () => void;
  onReview: (preview: PlanPreview, title: string, replan: () => Promise<PlanPreview>) => void;
}) {
  const api = useApi();
  const { t, n } = useI18n();
  const styles = { ...useGroupsStyles(), ...useOwnStyles() };
  const [detail, setDetail] = useState<GroupDetail>();
  const [error, setError] = useState<CommandError>();
  const [search, setSearch] = useState("");
  const [onlyErrors, setOnlyErrors] = useState(false);
  const [shown, setShown] = useState(SHOWN);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<CommandError>();
  const [reprocessed, setReprocessed] = useState<ReprocessOutcome>();
  const [watching, setWatching] = useState(false);
  const [adding, setAdding] = useState(false);
  /// People just reprocessed stay in view (even among "only people in error") so their new
  /// state is seen when it comes.
  const [recent, setRecent] = useState<Set<string>>(new Set());
  const heading = useRef<HTMLHeadingElement>(null);

  const load = useCallback(
    () =>
      api.groupDetail(id).then(
        (d) => {
          setDetail(d);
          setError(undefined);
          return d;
        },
        (e: unknown) => {
          setError(toCommandError(e));
          return undefined;
        },
      ),
    [api, id],
  );
  // A page of members as the filters ask (the members stay on the Rust side: a group of
  // 50,000 is never held by the window). `generation` moves when the group was read again.
  const [page, setPage] = useState<MembersPage>();
  const [generation, setGeneration] = useState(0);
  const readPage = useCallback(
    (first: Set<string>) =>
      api.groupMembersPage({ search, onlyErrors, first: [...first] }, 0, shown).then(
        (p) => {
          setPage(p);
          return p;
        },
        (e: unknown) => {
          setError(toCommandError(e));
          return undefined;
        },
      ),
    [api, search, onlyErrors, shown],
  );
  useEffect(() => {
    void load().then((d) => {
      if (d) {
        // People in error are what a person opening a group usually came for.
        setOnlyErrors(d.group.inError > 0);
        setGeneration((g) => g + 1);
        heading.current?.focus();
      }
    });
  }, [load]);
  useEffect(() => {
    if (generation === 0) return;
    // A short pause while typing, so each key does not ask for a page.
    const timer = setTimeout(() => void readPage(recent), 150);
    return () => clearTimeout(timer);
  }, [generation, readPage, recent]);

  // After a reprocess: read the group again every few seconds until everyone reprocessed has
  // a new state (Microsoft works on it in the background), or for half a minute at most.
  const watched = useRef<Map<string, string>>(new Map());
  useEffect(() => {
    if (!watching) return;
    let times = 0;
    const timer = setInterval(() => {
      times += 1;
      void load()
        .then((d) => (d ? readPage(recent) : undefined))
        .then((p) => {
          const settled =
            p !== undefined &&
            [...watched.current].every(([user, before]) => {
              const m = p.rows.find((x) => x.userId === user);
              return !m || `${stateOf(m)}:${errorOf(m) ?? ""}` !== before;
            });
          if (settled || times >= WATCH_TIMES) setWatching(false);
        });
    }, WATCH_EVERY_MS);
    return () => clearInterval(timer);
  }, [watching, load, readPage, recent]);

  const rows = page?.rows ?? [];
  const chosenIds = [...chosen];
  const dynamic = detail?.group.membershipRule != null;
  const groupName = detail ? `“${detail.group.displayName}”` : "";
  const planList = detail?.group.plans.map((p) => p.name).join(", ") ?? "";

  const toggle = (userId: string, on: boolean) =>
    setChosen((c) => {
      const next = new Set(c);
      if (on) next.add(userId);
      else next.delete(userId);
      return next;
    });
  const allShown = rows.length > 0 && rows.every((m) => chosen.has(m.userId));

  const reprocess = () => {
    setBusy(true);
    setActionError(undefined);
    setReprocessed(undefined);
    watched.current = new Map(
      rows.filter((m) => chosen.has(m.userId)).map((m) => [m.userId, `${stateOf(m)}:${errorOf(m) ?? ""}`]),
    );
    api.groupsReprocess(chosenIds).then(
      (outcome) => {
        setBusy(false);
        setReprocessed(outcome);
        setRecent(new Set(chosenIds));
        setChosen(new Set());
        if (outcome.reprocessed > 0) setWatching(true);
      },
      (e: unknown) => {
        setBusy(false);
        setActionError(toCommandError(e));
      },
    );
  };

  const plan = (userIds: string[], join: boolean) => {
    setBusy(true);
    setActionError(undefined);
    const again = () => api.groupsPlanMembership(id, userIds, join);
    again().then(
      (preview) => {
        setBusy(false);
        onReview(preview, join ? t.groups.reviewJoin(groupName) : t.groups.reviewLeave(groupName), again);
      },
      (e: unknown) => {
        setBusy(false);
        setActionError(toCommandError(e));
      },
    );
  };

  return (
    <section className={styles.page} aria-labelledby="group-title" data-testid="group-detail">
      <div>
        <Button onClick={onBack} data-testid="group-back">{t.groups.back}</Button>
      </div>
      <h1 id="group-title" ref={heading} tabIndex={-1} className={styles.title}>
        {detail?.group.displayName ?? ""}
      </h1>
      {error ? <ErrorState title={t.groups.errorTitle} error={error} onRetry={() => void load()} /> : null}
      {!detail && !error ? <Spinner label={t.groups.loading} /> : null}
      {detail ? (
        <>
          <Text>
            {t.groups.gives}{" "}
            {detail.group.plans.map((p) => (p.appsOff.length > 0 ? `${p.name} (${t.groups.appsOff(p.appsOff.join(", "))})` : p.name)).join(" + ")}
            {" · "}
            {t.groups.members(detail.group.members, n(detail.group.members))}
            {detail.group.inError > 0 ? ` · ${t.groups.inError(n(detail.group.inError))}` : ""}
          </Text>
          {dynamic ? (
            <MessageBar intent="info" layout="multiline"><MessageBarBody>{t.groups.dynamic(detail.group.membershipRule ?? "")}</MessageBarBody></MessageBar>
          ) : null}
          {detail.group.processing ? <Text className={styles.muted}>{t.groups.processing}</Text> : null}
          <div className={styles.bar}>
            <Field label={t.groups.search}>
              <Input
                value={search}
                placeholder={t.groups.searchPlaceholder}
                onChange={(_, d) => {
                  setSearch(d.value);
                  setShown(SHOWN);
                }}
                data-testid="group-search"
              />
            </Field>
            <Switch checked={onlyErrors} onChange={(_, d) => setOnlyErrors(d.checked)} label={t.groups.onlyErrors} data-testid="group-only-errors" />
          </div>
          <div className={styles.bar}>
            <Text role="status" data-testid="group-selected">{t.groups.selected(n(chosenIds.length))}</Text>
            <Tooltip content={t.groups.reprocessHint} relationship="description">
              <Button appearance="primary" disabled={chosenIds.length === 0 || busy} onClick={reprocess} data-testid="group-reprocess">
                {t.groups.reprocess}
              </Button>
            </Tooltip>
            <Tooltip content={t.groups.removeHint(planList)} relationship="description">
              <Button disabled={chosenIds.length === 0 || busy || dynamic} onClick={() => plan(chosenIds, false)} data-testid="group-remove">
                {t.groups.removeSelected}
              </Button>
            </Tooltip>
            <Button disabled={busy || dynamic} onClick={() => setAdding(true)} data-testid="group-add">
              {t.groups.addPeople}
            </Button>
            {busy ? <Spinner size="tiny" /> : null}
          </div>
          {actionError ? <ErrorState title={t.groups.errorTitle} error={actionError} /> : null}
          {reprocessed ? (
            <MessageBar intent={reprocessed.failed.length > 0 ? "warning" : "success"} layout="multiline" data-testid="group-reprocessed">
              <MessageBarBody>
                <Text>{t.groups.reprocessed(reprocessed.reprocessed, n(reprocessed.reprocessed))}</Text>
                {reprocessed.failed.map((f) => (
                  <Text key={f.userPrincipalName} block>{t.groups.reprocessFailed(f.userPrincipalName, f.message)}</Text>
                ))}
              </MessageBarBody>
            </MessageBar>
          ) : null}
          {watching ? <Spinner size="small" label={t.groups.watching} labelPosition="after" data-testid="group-watching" /> : null}
          {page && page.total === 0 ? <Text>{t.groups.noMembers}</Text> : page && page.matching === 0 ? <Text>{t.groups.noMatch}</Text> : null}
          {rows.length > 0 ? (
            <div className={styles.tableBox}>
              <Table aria-labelledby="group-title" size="small">
                <TableHeader>
                  <TableRow>
                    <TableHeaderCell style={{ width: 44 }}>
                      <Checkbox
                        checked={allShown}
                        aria-label={t.groups.selectAll}
                        onChange={(_, d) => rows.forEach((m) => toggle(m.userId, d.checked === true))}
                        data-testid="group-select-all"
                      />
                    </TableHeaderCell>
                    <TableHeaderCell style={{ width: "34%" }}>{t.groups.person}</TableHeaderCell>
                    <TableHeaderCell style={{ width: 130 }}>{t.groups.location}</TableHeaderCell>
                    <TableHeaderCell>{t.groups.state}</TableHeaderCell>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {rows.map((m) => {
                    const state = stateOf(m);
                    const code = errorOf(m);
                    return (
                      <TableRow key={m.userId} data-testid="group-member" data-state={state} data-error={code ?? undefined} data-upn={m.userPrincipalName}>
                        <TableCell>
                          <Checkbox
                            checked={chosen.has(m.userId)}
                            aria-label={t.groups.select(m.displayName)}
                            onChange={(_, d) => toggle(m.userId, d.checked === true)}
                            data-testid="group-member-check"
                          />
                        </TableCell>
                        <TableCell>
                          <Text weight="semibold">{m.displayName}</Text>
                          <span className={styles.upn}>{m.userPrincipalName}</span>
                        </TableCell>
                        <TableCell>{m.usageLocation ?? "—"}</TableCell>
                        <TableCell>
                          {state === "error" && code ? (
                            <div className={styles.why}>
                              <div>
                                <Badge appearance="filled" color="danger">{`${t.groups.error}: ${code}`}</Badge>
                              </div>
                              <Text>{t.groups.why(t.groups.errorWhy(code))}</Text>
                              <Text className={styles.muted}>{t.groups.fix(t.groups.errorFix(code))}</Text>
                            </div>
                          ) : state === "pending" ? (
                            <Badge appearance="tint" color="warning">{t.groups.waiting}</Badge>
                          ) : (
                            <Badge appearance="tint" color="success">{t.groups.active}</Badge>
                          )}
                        </TableCell>
                      </TableRow>
                    );
                  })}
                </TableBody>
              </Table>
            </div>
          ) : null}
          {page && page.matching > rows.length ? (
            <div className={styles.bar}>
              <Text>{t.groups.showing(n(rows.length), n(page.matching))}</Text>
              <Button onClick={() => setShown((s) => s + SHOWN)} data-testid="group-more">{t.groups.showMore}</Button>
            </div>
          ) : null}
        </>
      ) : null}
      {adding && detail ? (
        <AddPeopleDialog
          groupName={groupName}
          onCancel={() => setAdding(false)}
          onReview={(ids) => {
            setAdding(false);
            plan(ids, true);
          }}
        />
      ) : null}
    </section>
  );
}
