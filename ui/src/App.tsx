import { useCallback, useEffect, useState } from "react";
import { FluentProvider, webDarkTheme, webLightTheme } from "@fluentui/react-components";
import { ApiContext, tauriApi, toCommandError, type Api } from "./api";
import type { TenantInfo } from "./bindings/TenantInfo";
import { I18nProvider } from "./i18n";
import { AppShell, type Page } from "./components/AppShell";
import { PlansPage } from "./components/PlansPage";
import { TenantPage } from "./components/TenantPage";

function usePrefersDark(): boolean {
  const query = "(prefers-color-scheme: dark)";
  const [dark, setDark] = useState(() => window.matchMedia?.(query).matches ?? false);
  useEffect(() => {
    const media = window.matchMedia?.(query);
    if (!media) return;
    const onChange = (e: MediaQueryListEvent) => setDark(e.matches);
    media.addEventListener("change", onChange);
    return () => media.removeEventListener("change", onChange);
  }, []);
  return dark;
}

export function App({ api = tauriApi, locale = navigator.language }: { api?: Api; locale?: string }) {
  const dark = usePrefersDark();
  const [tenant, setTenant] = useState<TenantInfo | undefined>();
  const [tenantError, setTenantError] = useState<string | undefined>();
  const [page, setPage] = useState<Page>("plans");
  // Plans are re-read whenever the tenant changes.
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    api.tenantInfo().then(setTenant, (e: unknown) => setTenantError(toCommandError(e).message));
  }, [api]);

  const switched = useCallback((next: TenantInfo) => {
    setTenant(next);
    setGeneration((g) => g + 1);
    setPage("plans");
  }, []);

  const signOut = useCallback(() => {
    api.signOut().then(switched, (e: unknown) => setTenantError(toCommandError(e).message));
  }, [api, switched]);

  return (
    <FluentProvider theme={dark ? webDarkTheme : webLightTheme}>
      <I18nProvider locale={locale}>
        <ApiContext.Provider value={api}>
          <AppShell tenant={tenant} tenantError={tenantError} page={page} onNavigate={setPage} onSignOut={signOut}>
            {page === "plans" ? (
              <PlansPage key={generation} tenantName={tenant?.displayName} />
            ) : (
              <TenantPage onSignedIn={switched} />
            )}
          </AppShell>
        </ApiContext.Provider>
      </I18nProvider>
    </FluentProvider>
  );
}
