import { Suspense, lazy, useCallback, useEffect, useState } from "react";
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  FluentProvider,
  Spinner,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  makeStyles,
  tokens,
  teamsHighContrastTheme,
  webDarkTheme,
  webLightTheme,
} from "@fluentui/react-components";
import type { Appearance } from "./bindings/Appearance";
import { ApiContext, tauriApi, toCommandError, useApi, type Api } from "./api";
import type { CommandError } from "./bindings/CommandError";
import type { TenantInfo } from "./bindings/TenantInfo";
import type { TenantSetup } from "./bindings/TenantSetup";
import { useRunTitle } from "./components/useRunTitle";
import { I18nProvider, useI18n } from "./i18n";
import { ErrorState } from "./components/ErrorState";
import { AppShell, type Page } from "./components/AppShell";
import { PlansPage } from "./pages/Plans/PlansPage";
// The Plans page is the first screen: in the main bundle. The others load when first opened,
// so the first screen is drawn sooner (`make bench`).
const TenantPage = lazy(() => import("./pages/SignIn/TenantPage").then((m) => ({ default: m.TenantPage })));
const UsersPage = lazy(() => import("./pages/Users/UsersPage").then((m) => ({ default: m.UsersPage })));
const ImportPage = lazy(() => import("./pages/Import/ImportPage").then((m) => ({ default: m.ImportPage })));
const GroupsPage = lazy(() => import("./pages/Groups/GroupsPage").then((m) => ({ default: m.GroupsPage })));
const ReclaimPage = lazy(() => import("./pages/Reclaim/ReclaimPage").then((m) => ({ default: m.ReclaimPage })));
const HistoryPage = lazy(() => import("./pages/History/HistoryPage").then((m) => ({ default: m.HistoryPage })));
const SettingsPage = lazy(() => import("./pages/Settings/SettingsPage").then((m) => ({ default: m.SettingsPage })));
import type { RunSummary } from "./bindings/RunSummary";

/// Whether a media query matches, following the system as it changes.
function useMedia(query: string): boolean {
  const [matches, setMatches] = useState(() => window.matchMedia?.(query).matches ?? false);
  useEffect(() => {
    const media = window.matchMedia?.(query);
    if (!media) return;
    const onChange = (e: MediaQueryListEvent) => setMatches(e.matches);
    media.addEventListener("change", onChange);
    return () => media.removeEventListener("change", onChange);
  }, [query]);
  return matches;
}

export function App({ api = tauriApi, locale: shown = navigator.language }: { api?: Api; locale?: string }) {
  // The language asked for in LANG/LANGUAGE wins over the webview's, which falls back to
  // English where the system has no Dutch locale installed.
  const [systemLocale, setSystemLocale] = useState(shown);
  // What the person chose in Settings wins over the system's language and theme.
  const [appearance, setAppearance] = useState<Appearance>({ language: "system", theme: "system" });
  // Nothing is drawn until both are known, so the first paint is in the right language and
  // theme rather than the system's for a moment: two quick local answers, asked as the script
  // starts (askFirstScreen).
  const [appearanceKnown, setAppearanceKnown] = useState(false);
  useEffect(() => {
    const asked = api.preferredLanguage().then((language) => language && setSystemLocale(language), () => undefined);
    const saved = api.appearance().then(setAppearance, () => undefined);
    void Promise.all([asked, saved]).then(() => setAppearanceKnown(true));
  }, [api]);
  const changeAppearance = useCallback(
    (next: Appearance) => {
      setAppearance(next);
      void api.setAppearance(next).catch(() => undefined);
    },
    [api],
  );
  const locale = appearance.language === "system" ? systemLocale : appearance.language;
  const dark = useMedia("(prefers-color-scheme: dark)");
  const highContrast = useMedia("(forced-colors: active), (prefers-contrast: more)");
  const theme =
    appearance.theme === "light" ? webLightTheme
    : appearance.theme === "dark" ? webDarkTheme
    : appearance.theme === "highContrast" || highContrast ? teamsHighContrastTheme
    : dark ? webDarkTheme
    : webLightTheme;
  const [tenant, setTenant] = useState<TenantInfo | undefined>();
  const [tenantError, setTenantError] = useState<string | undefined>();
  // No tenant until the person signs in: the organisation turned the demo off (or its policy
  // cannot be read). Only Sign in and Settings are offered then.
  const [signInNeeded, setSignInNeeded] = useState(false);
  const noTenant = useCallback((e: unknown) => {
    const error = toCommandError(e);
    if (error.code !== "demo.off" && error.code !== "policy.broken") return false;
    setTenant(undefined);
    setSignInNeeded(true);
    setPage("tenant");
    return true;
  }, []);
  const [page, setPage] = useState<Page>("plans");
  const [importVisited, setImportVisited] = useState(false);
  useEffect(() => {
    if (page === "import") setImportVisited(true);
  }, [page]);
  // Plans are re-read whenever the tenant changes.
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    api.tenantInfo().then(setTenant, (e: unknown) => noTenant(e) || setTenantError(toCommandError(e).message));
    // Opened with a file ("Open with LicenseDesk"): straight to the import.
    void api.importOfferedFile().then((name) => name && setPage("import"));
    // Opened with a plan file: straight to History, where plans are approved.
    void api.planOfferedFile().then((name) => name && setPage("history"));
  }, [api, noTenant]);

  const switched = useCallback((next: TenantInfo) => {
    setSignInNeeded(false);
    setTenant(next);
    setGeneration((g) => g + 1);
    setPage("plans");
  }, []);

  // A failed switch or sign-out leaves the current tenant in place and says why.
  const [headerError, setHeaderError] = useState<{ kind: "switch" | "signOut"; error: CommandError }>();

  const signOut = useCallback(() => {
    setHeaderError(undefined);
    api.signOut().then(switched, (e: unknown) => noTenant(e) || setHeaderError({ kind: "signOut", error: toCommandError(e) }));
  }, [api, switched, noTenant]);

  const switchTenant = useCallback(
    (setup: TenantSetup) => {
      setHeaderError(undefined);
      api.switchTenant(setup).then(switched, (e: unknown) => setHeaderError({ kind: "switch", error: toCommandError(e) }));
    },
    [api, switched],
  );

  const waitingSeconds = useGraphWait(api);
  const [closeAsked, setCloseAsked] = useState(false);
  useEffect(() => api.onCloseRequested(() => setCloseAsked(true)), [api]);
  // A file dropped anywhere in the window: offered on the Import page (which reads it), with a
  // button when another page is open, so nothing the person is doing is taken away.
  const [dropped, setDropped] = useState<string>();
  // A run cut short (a crash, a kill, a power cut): offered to finish on the next start.
  const [interrupted, setInterrupted] = useState<RunSummary>();
  const [historyFocus, setHistoryFocus] = useState<{ id: string; finish: boolean }>();
  useEffect(() => {
    if (!tenant) return;
    api.interruptedRuns().then(
      (runs) => setInterrupted(runs[0]),
      () => setInterrupted(undefined),
    );
  }, [api, tenant]);
  // Leaving a page leaves its messages behind: an error about a switch or a sign-out belongs
  // to the moment it happened, not to every page after.
  const navigate = useCallback((next: Page) => {
    setHistoryFocus(undefined);
    setHeaderError(undefined);
    setPage(next);
  }, []);
  useEffect(() => api.onFileOffered((name) => setDropped(name)), [api]);
  useEffect(() => {
    if (page === "import") setDropped(undefined);
  }, [page, dropped]);
  // A plan file dropped on the window: History opens it (at once when it is the page shown).
  const [planDropped, setPlanDropped] = useState<string>();
  useEffect(() => api.onPlanOffered((name) => setPlanDropped(name)), [api]);
  useEffect(() => {
    if (page === "history") setPlanDropped(undefined);
  }, [page, planDropped]);

  if (!appearanceKnown) return null;
  return (
    <FluentProvider theme={theme}>
      <I18nProvider locale={locale}>
        <ApiContext.Provider value={api}>
          <AppShell
            tenant={tenant}
            tenantError={tenantError}
            signInOnly={signInNeeded}
            page={page}
            onNavigate={navigate}
            onSignOut={signOut}
            onSwitch={switchTenant}
            banner={
              <>
                {waitingSeconds !== undefined && <WaitBanner seconds={waitingSeconds} />}
                {headerError && <HeaderError {...headerError} />}
                {interrupted ? (
                  <Interrupted
                    run={interrupted}
                    onFinish={() => {
                      setHistoryFocus({ id: interrupted.id, finish: true });
                      setInterrupted(undefined);
                      setPage("history");
                    }}
                    onSee={() => {
                      setHistoryFocus({ id: interrupted.id, finish: false });
                      setInterrupted(undefined);
                      setPage("history");
                    }}
                  />
                ) : null}
                {dropped && page !== "import" ? (
                  <Dropped
                    name={dropped}
                    kind="import"
                    onOpen={() => {
                      setDropped(undefined);
                      setPage("import");
                    }}
                    onDismiss={() => setDropped(undefined)}
                  />
                ) : null}
                {planDropped && page !== "history" ? (
                  <Dropped
                    name={planDropped}
                    kind="plan"
                    onOpen={() => {
                      setPlanDropped(undefined);
                      navigate("history");
                    }}
                    onDismiss={() => setPlanDropped(undefined)}
                  />
                ) : null}
              </>
            }
          >
            <Suspense fallback={<PageLoading />}>
            {signInNeeded && page !== "settings" ? (
              <TenantPage onSignedIn={switched} demoOff />
            ) : page === "plans" ? (
              <PlansPage key={generation} tenantName={tenant?.displayName} />
            ) : page === "users" ? (
              <UsersPage key={generation} tenantName={tenant?.displayName} />
            ) : page === "groups" ? (
              <GroupsPage key={generation} />
            ) : page === "reclaim" ? (
              <ReclaimPage key={generation} />
            ) : page === "import" ? null : page === "settings" ? (
              <SettingsPage key={generation} appearance={appearance} onAppearance={changeAppearance} />
            ) : page === "history" ? (
              <HistoryPage key={`${generation}-${historyFocus?.id ?? ""}-${historyFocus?.finish ?? ""}`} focus={historyFocus?.id} finish={historyFocus?.finish} />
            ) : (
              <TenantPage onSignedIn={switched} />
            )}
            {/* The import wizard stays as the person left it (file, mapping, fixes) while
                the app runs: hidden on other pages, not thrown away. A new tenant starts it
                afresh. */}
            {importVisited && !signInNeeded ? (
              <div hidden={page !== "import"} data-testid="import-keeper">
                <ImportPage key={generation} />
              </div>
            ) : null}
            </Suspense>
          </AppShell>
          <CloseDuringRun open={closeAsked} onKeep={() => setCloseAsked(false)} />
        </ApiContext.Provider>
      </I18nProvider>
    </FluentProvider>
  );
}

/// While a page's code loads (the first time it is opened).
function PageLoading() {
  const { t } = useI18n();
  return <Spinner style={{ padding: 32 }} label={t.pageLoading} />;
}

const useStyles = makeStyles({
  // Lined up with the pages' own padding.
  banner: { padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalXXL}` },
});

/// The seconds Graph asked LicenseDesk to wait, while that wait lasts (undefined otherwise).
function useGraphWait(api: Api): number | undefined {
  const [seconds, setSeconds] = useState<number>();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stop = api.onGraphWait((s) => {
      setSeconds(s);
      clearTimeout(timer);
      timer = setTimeout(() => setSeconds(undefined), s * 1000);
    });
    return () => {
      stop();
      clearTimeout(timer);
    };
  }, [api]);
  return seconds;
}

function WaitBanner({ seconds }: { seconds: number }) {
  const { t } = useI18n();
  const styles = useStyles();
  return (
    <div className={styles.banner}>
      <MessageBar intent="info" layout="multiline" role="status">
        <MessageBarBody>{t.graphWaiting(seconds)}</MessageBarBody>
      </MessageBar>
    </div>
  );
}

/// Asked when the window is closed while a run sends changes: keep working, or stop the run
/// (what was sent finishes first) and close.
function CloseDuringRun({ open, onKeep }: { open: boolean; onKeep: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const [stopping, setStopping] = useState(false);
  const c = t.closeDuringRun;
  return (
    <Dialog open={open} modalType="alert" onOpenChange={(_, d) => !d.open && !stopping && onKeep()}>
      <DialogSurface data-testid="close-during-run">
        <DialogBody>
          <DialogTitle>{c.title}</DialogTitle>
          <DialogContent>{stopping ? <Spinner size="tiny" label={c.stopping} /> : c.body}</DialogContent>
          <DialogActions>
            <Button appearance="primary" disabled={stopping} onClick={onKeep} data-testid="close-keep">
              {c.keep}
            </Button>
            <Button
              disabled={stopping}
              onClick={() => {
                setStopping(true);
                void api.stopRunAndQuit().finally(() => setStopping(false));
              }}
              data-testid="close-stop"
            >
              {c.stop}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

function Interrupted({ run, onFinish, onSee }: { run: RunSummary; onFinish: () => void; onSee: () => void }) {
  const { t, n } = useI18n();
  const styles = useStyles();
  const title = useRunTitle();
  return (
    <div className={styles.banner}>
      <MessageBar intent="warning" layout="multiline" data-testid="interrupted-run">
        <MessageBarBody>{t.history.interruptedBanner(title(run.title), n(run.open))}</MessageBarBody>
        <MessageBarActions>
          <Button appearance="primary" onClick={onFinish} data-testid="interrupted-finish">
            {t.history.finishNow}
          </Button>
          <Button onClick={onSee}>{t.history.seeIt}</Button>
        </MessageBarActions>
      </MessageBar>
    </div>
  );
}

/// A file dropped on the window while another page is open: a list of people for the Import
/// page, or a plan to approve in History.
function Dropped({ name, kind, onOpen, onDismiss }: { name: string; kind: "import" | "plan"; onOpen: () => void; onDismiss: () => void }) {
  const { t } = useI18n();
  const styles = useStyles();
  return (
    <div className={styles.banner}>
      <MessageBar intent="info" data-testid={kind === "plan" ? "plan-dropped" : "file-dropped"}>
        <MessageBarBody>{kind === "plan" ? t.approve.offered(name) : t.import.dropped(name)}</MessageBarBody>
        <MessageBarActions>
          <Button onClick={onOpen}>{kind === "plan" ? t.approve.openOffered : t.import.openDropped}</Button>
          <Button appearance="transparent" onClick={onDismiss}>{t.import.notNow}</Button>
        </MessageBarActions>
      </MessageBar>
    </div>
  );
}

function HeaderError({ kind, error }: { kind: "switch" | "signOut"; error: CommandError }) {
  const { t } = useI18n();
  const styles = useStyles();
  return (
    <div className={styles.banner}>
      <ErrorState title={kind === "switch" ? t.switchFailed : t.signOutFailed} error={error} />
    </div>
  );
}
