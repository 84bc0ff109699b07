import { useCallback, useEffect, useRef, useState } from "react";
import {
  Badge,
  Button,
  MessageBar,
  MessageBarBody,
  ProgressBar,
  Spinner,
  Switch,
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
import { DocumentCheckmark20Regular } from "@fluentui/react-icons";
import type { CommandError } from "../../bindings/CommandError";
import type { JournalChange } from "../../bindings/JournalChange";
import type { PlanPreview } from "../../bindings/PlanPreview";
import type { RunPage } from "../../bindings/RunPage";
import type { RunProgress } from "../../bindings/RunProgress";
import type { RunState } from "../../bindings/RunState";
import type { RunSummary } from "../../bindings/RunSummary";
import type { ShortfallPolicy } from "../../bindings/ShortfallPolicy";
import { toCommandError, useApi } from "../../api";
import { useRunTitle } from "../../components/useRunTitle";
import { useI18n, when } from "../../i18n";
import { reasonText } from "../../reasons";
import { ErrorState } from "../../components/ErrorState";
import { RunSteps } from "../../components/ChangeFlow";

const useStyles = makeStyles({
  page: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
    padding: `${tokens.spacingVerticalXL} ${tokens.spacingHorizontalXXL}`,
    maxWidth: "1100px",
  },
  tableBox: {
    overflowX: "auto",
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  buttons: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap", alignItems: "center" },
  muted: { color: tokens.colorNeutralForeground3 },
  upn: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200, display: "block" },
  error: { color: tokens.colorPaletteRedForeground1, fontSize: tokens.fontSizeBase200, display: "block" },
  wrap: { overflowWrap: "anywhere" },
  approve: { display: "flex", flexDirection: "column", alignItems: "flex-start", gap: tokens.spacingVerticalXS, maxWidth: "720px" },
});

const PAGE = 50;

type View =
  | { view: "list" }
  | { view: "run"; id: string }
  | { view: "finishing"; id: string; progress: RunProgress | null }
  | { view: "undo"; id: string; what: string; preview: PlanPreview }
  | { view: "opening" }
  | { view: "approve"; preview: PlanPreview; policy: ShortfallPolicy };

/// Every run LicenseDesk made: open one to see each person, save its report, finish it when
/// it was cut short, or undo it.
export function HistoryPage({ focus, finish }: { focus?: string; finish?: boolean }) {
  const api = useApi();
  const { t, locale } = useI18n();
  const styles = useStyles();
  const [view, setView] = useState<View>(focus ? { view: "run", id: focus } : { view: "list" });
  const [error, setError] = useState<CommandError>();

  const startFinish = useCallback(
    (id: string) => {
      setError(undefined);
      setView({ view: "finishing", id, progress: null });
      api
        .finishRun(id, (progress) => setView((v) => (v.view === "finishing" ? { ...v, progress } : v)))
        .then(
          () => setView({ view: "run", id }),
          (e: unknown) => {
            setError(toCommandError(e));
            setView({ view: "run", id });
          },
        );
    },
    [api],
  );

  // A plan file to approve: chosen in the open dialog, or offered (dropped on the window or
  // opened with LicenseDesk). Rust reads it; the window only ever sees the plan.
  const approve = useCallback(
    (opening: Promise<PlanPreview | null>) => {
      setError(undefined);
      setView({ view: "opening" });
      opening.then(
        (preview) =>
          setView(preview ? { view: "approve", preview, policy: preview.approval?.shortfall ?? "nobody" } : { view: "list" }),
        (e: unknown) => {
          setError(toCommandError(e));
          setView({ view: "list" });
        },
      );
    },
    [],
  );
  const offeredChecked = useRef(false);
  useEffect(() => {
    // Once, even when React runs effects twice (development's StrictMode): the file is taken.
    if (!offeredChecked.current) {
      offeredChecked.current = true;
      void api.planOfferedFile().then((name) => name && approve(api.planOpenOffered()));
    }
    return api.onPlanOffered(() => approve(api.planOpenOffered()));
  }, [api, approve]);

  // Once, even when React runs effects twice (development's StrictMode).
  const started = useRef(false);
  useEffect(() => {
    if (focus && finish && !started.current) {
      started.current = true;
      startFinish(focus);
    }
  }, [focus, finish, startFinish]);

  if (view.view === "undo") {
    return (
      <RunSteps
        first={view.preview}
        title={t.history.undoTitle(view.what)}
        policy="partial"
        replan={() => api.planUndo(view.id)}
        onBack={() => setView({ view: "run", id: view.id })}
        onClose={() => setView({ view: "list" })}
        closeLabel={t.history.back}
        canSave={false}
        undo
      />
    );
  }

  if (view.view === "approve") {
    return (
      <RunSteps
        first={view.preview}
        title={t.approve.title(view.preview.approval?.fileName ?? "")}
        policy={view.policy}
        replan={(policy) => {
          setView((v) => (v.view === "approve" ? { ...v, policy } : v));
          return api.planFileReplan(policy);
        }}
        onBack={() => setView({ view: "list" })}
        onClose={() => setView({ view: "list" })}
        closeLabel={t.history.back}
        canSave={false}
      />
    );
  }

  return (
    <section className={styles.page} aria-labelledby="history-title" data-testid="history-page">
      <Title2 id="history-title">{t.history.title}</Title2>
      {error ? <ErrorState title={t.history.title} error={error} /> : null}
      {view.view === "list" ? (
        <>
          <div className={styles.approve}>
            <Button icon={<DocumentCheckmark20Regular />} onClick={() => approve(api.planOpenFile(locale))} data-testid="approve-open">
              {t.approve.open}
            </Button>
            <Text className={styles.muted}>{t.approve.hint}</Text>
          </div>
          <RunList onOpen={(id) => setView({ view: "run", id })} onError={setError} />
        </>
      ) : view.view === "opening" ? (
        <Spinner label={t.approve.opening} data-testid="approve-opening" />
      ) : view.view === "finishing" ? (
        <Finishing progress={view.progress} />
      ) : (
        <RunDetail
          id={view.id}
          onBack={() => setView({ view: "list" })}
          onFinish={() => startFinish(view.id)}
          onUndo={(what) => {
            setError(undefined);
            api.planUndo(view.id).then(
              (preview) => setView({ view: "undo", id: view.id, what, preview }),
              (e: unknown) => setError(toCommandError(e)),
            );
          }}
          onError={setError}
        />
      )}
    </section>
  );
}

/// A run's state in words and colour: "Finished" in green only when something changed and
/// nothing failed.
export function StateBadge({ state, done, failed }: { state: RunState; done: number; failed: number }) {
  const { t } = useI18n();
  const color = { running: "brand", interrupted: "warning", finished: "success", cancelled: "informative", undone: "subtle" } as const;
  if (state === "finished" && (failed > 0 || done === 0)) {
    return (
      <Badge appearance="tint" color={failed > 0 ? "warning" : "informative"} data-testid="run-state">
        {failed > 0 ? t.history.finishedFailures : t.history.finishedNothing}
      </Badge>
    );
  }
  return (
    <Badge appearance="tint" color={color[state]} data-testid="run-state">
      {t.history.states[state]}
    </Badge>
  );
}

function RunList({ onOpen, onError }: { onOpen: (id: string) => void; onError: (e: CommandError) => void }) {
  const api = useApi();
  const { t, n, locale } = useI18n();
  const styles = useStyles();
  const [runs, setRuns] = useState<RunSummary[]>();
  const title = useRunTitle();
  useEffect(() => {
    api.historyRuns().then(setRuns, (e: unknown) => {
      setRuns([]);
      onError(toCommandError(e));
    });
  }, [api, onError]);
  if (!runs) return <Spinner label={t.history.loading} />;
  return (
    <>
      <Text>{t.history.subtitle}</Text>
      {runs.length === 0 ? (
        <Text data-testid="history-empty">{t.history.empty}</Text>
      ) : (
        <div className={styles.tableBox}>
          <Table aria-label={t.history.title} data-testid="history-runs">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>{t.history.when}</TableHeaderCell>
                <TableHeaderCell>{t.history.what}</TableHeaderCell>
                <TableHeaderCell>{t.history.who}</TableHeaderCell>
                <TableHeaderCell>{t.history.result}</TableHeaderCell>
                <TableHeaderCell>{t.history.state}</TableHeaderCell>
                <TableHeaderCell />
              </TableRow>
            </TableHeader>
            <TableBody>
              {runs.map((r) => (
                <TableRow key={r.id} data-testid="history-run" data-run={r.id}>
                  <TableCell>{when(r.startedAt, locale)}</TableCell>
                  <TableCell>
                    {title(r.title)}
                    <span className={styles.upn}>{r.tenantName}</span>
                  </TableCell>
                  <TableCell className={styles.wrap}>{r.startedBy}</TableCell>
                  <TableCell>{t.history.counts(n(r.done), n(r.failed), n(r.total))}</TableCell>
                  <TableCell>
                    <StateBadge state={r.state} done={r.done} failed={r.failed} />
                  </TableCell>
                  <TableCell>
                    <Button size="small" onClick={() => onOpen(r.id)} aria-label={`${t.history.open}: ${title(r.title)}`} data-testid="history-open">
                      {t.history.open}
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
    </>
  );
}

function Finishing({ progress }: { progress: RunProgress | null }) {
  const { t, n } = useI18n();
  const finished = progress ? progress.done + progress.failed : 0;
  return (
    <div data-testid="history-finishing">
      <Text role="status">{t.history.finishing}</Text>
      <ProgressBar value={progress && progress.total > 0 ? finished / progress.total : undefined} thickness="large" aria-label={t.history.finishing} />
      {progress ? <Text>{t.run.progress(n(progress.done), n(progress.total))}</Text> : null}
    </div>
  );
}

function changeText(c: JournalChange, names: RunPage["planNames"], t: ReturnType<typeof useI18n>["t"]): string {
  const plan = (id: string) => names[id.toLowerCase()] ?? id;
  const o = c.outcome;
  const parts: string[] = [];
  if (o.setUsageLocation) parts.push(t.preview.willSetLocation(o.setUsageLocation));
  if (o.action === "add") parts.push(t.preview.willGive(o.add.map((a) => plan(a.skuId)).join(", ")));
  if (o.action === "remove") parts.push(t.preview.willTake(o.remove.map(plan).join(", ")));
  if (o.action === "swap") parts.push(t.preview.willSwap(o.remove.map(plan).join(", "), o.add.map((a) => plan(a.skuId)).join(", ")));
  if (o.action === "apps") parts.push(t.preview.willSwitchIn(o.add.map((a) => plan(a.skuId)).join(", ")));
  // A membership run names its groups as they were when it was planned.
  const groupNames = (list: typeof o.joinGroups) => list.map((g) => `“${g.displayName}”`).join(", ");
  if (o.action === "membership" && o.joinGroups.length > 0) parts.push(t.preview.joined(groupNames(o.joinGroups)));
  if (o.action === "membership" && o.leaveGroups.length > 0) parts.push(t.preview.left(groupNames(o.leaveGroups)));
  if (parts.length === 0) {
    const group = (id: string) => {
      const known = [...o.joinGroups, ...o.leaveGroups].find((g) => g.id.toLowerCase() === id.toLowerCase());
      return known ? `“${known.displayName}”` : id;
    };
    parts.push(o.reason ? reasonText(o.reason, t, plan, group) : o.action === "blocked" ? t.preview.blocked : t.preview.nothing);
  }
  return parts.join(" · ");
}

function RunDetail({
  id,
  onBack,
  onFinish,
  onUndo,
  onError,
}: {
  id: string;
  onBack: () => void;
  onFinish: () => void;
  onUndo: (what: string) => void;
  onError: (e: CommandError) => void;
}) {
  const api = useApi();
  const { t, n, locale } = useI18n();
  const styles = useStyles();
  const [page, setPage] = useState<RunPage>();
  const title = useRunTitle();
  const [query, setQuery] = useState({ problemsOnly: false, offset: 0, limit: PAGE });
  const [saved, setSaved] = useState<string>();
  useEffect(() => {
    api.historyRun(id, query).then(setPage, (e: unknown) => onError(toCommandError(e)));
  }, [api, id, query, onError]);
  if (!page) return <Spinner label={t.history.loading} />;
  const s = page.summary;
  const save = (excel: boolean) =>
    api.saveRunReport(id, excel, locale).then(
      (path) => path && setSaved(path),
      (e: unknown) => onError(toCommandError(e)),
    );
  const status = (c: JournalChange) => {
    const color = { done: "success", failed: "danger", skipped: "informative", notSent: "informative", pending: "warning", sent: "warning" } as const;
    return (
      <Badge appearance={c.status === "failed" ? "filled" : "tint"} color={color[c.status]}>
        {t.history.statuses[c.status]}
      </Badge>
    );
  };
  const to = query.offset + page.changes.length;
  return (
    <div data-testid="history-run-detail" style={{ display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM }}>
      <div className={styles.buttons}>
        <Button onClick={onBack}>{t.history.back}</Button>
      </div>
      <Text size={500} weight="semibold">
        {title(s.title)}
      </Text>
      <Text className={styles.muted}>{t.history.runMeta(when(s.startedAt, locale), s.startedBy, s.tenantName, s.id)}</Text>
      <div className={styles.buttons}>
        <StateBadge state={s.state} done={s.done} failed={s.failed} />
        <Text data-testid="history-run-counts">{t.history.counts(n(s.done), n(s.failed), n(s.total))}</Text>
      </div>
      {s.undoneBy ? <Text>{t.history.undoneBy(s.undoneBy)}</Text> : null}
      {s.undoes ? <Text>{t.history.undoes(s.undoes)}</Text> : null}
      {s.state === "interrupted" ? (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>{t.history.openChanges(n(s.open))}</MessageBarBody>
        </MessageBar>
      ) : null}
      {saved ? (
        <MessageBar intent="success">
          <MessageBarBody>{t.history.savedTo(saved)}</MessageBarBody>
        </MessageBar>
      ) : null}
      <div className={styles.buttons}>
        {s.state === "interrupted" ? (
          <Button appearance="primary" onClick={onFinish} data-testid="history-finish">
            {t.history.finish}
          </Button>
        ) : null}
        {s.state !== "undone" && s.state !== "running" && s.done > 0 ? (
          <Button onClick={() => onUndo(title(s.title))} data-testid="history-undo">
            {t.history.undo}
          </Button>
        ) : null}
        <Button onClick={() => void save(false)} data-testid="history-save-csv">{t.history.saveCsv}</Button>
        <Button onClick={() => void save(true)} data-testid="history-save-excel">{t.history.saveExcel}</Button>
      </div>
      <Switch
        checked={query.problemsOnly}
        onChange={(_, d) => setQuery({ ...query, problemsOnly: d.checked, offset: 0 })}
        label={t.history.onlyProblems}
      />
      <div className={styles.tableBox}>
        <Table size="small" aria-label={title(s.title)} data-testid="history-changes">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>{t.history.person}</TableHeaderCell>
              <TableHeaderCell>{t.history.change}</TableHeaderCell>
              <TableHeaderCell>{t.history.status}</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {page.changes.map((c) => (
              <TableRow key={c.seq} data-testid="history-change">
                <TableCell>
                  {c.outcome.displayName}
                  <span className={styles.upn}>{c.outcome.userPrincipalName}</span>
                </TableCell>
                <TableCell>{changeText(c, page.planNames, t)}</TableCell>
                <TableCell>
                  {status(c)}
                  {c.errorCode === "changedSince" ? (
                    <span className={styles.error}>{t.history.changedSince}</span>
                  ) : c.error ? (
                    <span className={styles.error}>{c.error}</span>
                  ) : null}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
      {page.matching > PAGE ? (
        <div className={styles.buttons}>
          <Button disabled={query.offset === 0} onClick={() => setQuery({ ...query, offset: Math.max(0, query.offset - PAGE) })}>
            {t.history.previous}
          </Button>
          <Text>{t.history.page(n(query.offset + 1), n(to), n(page.matching))}</Text>
          <Button disabled={to >= page.matching} onClick={() => setQuery({ ...query, offset: query.offset + PAGE })}>
            {t.history.next}
          </Button>
        </div>
      ) : null}
    </div>
  );
}
