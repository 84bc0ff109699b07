import { useEffect, useState } from "react";
import { FluentProvider, webDarkTheme, webLightTheme } from "@fluentui/react-components";
import { ApiContext, tauriApi, type Api } from "./api";
import { I18nProvider } from "./i18n";
import { AppShell } from "./components/AppShell";
import { PlansPage } from "./components/PlansPage";

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
  return (
    <FluentProvider theme={dark ? webDarkTheme : webLightTheme}>
      <I18nProvider locale={locale}>
        <ApiContext.Provider value={api}>
          <AppShell>{(tenant) => <PlansPage tenantName={tenant?.displayName} />}</AppShell>
        </ApiContext.Provider>
      </I18nProvider>
    </FluentProvider>
  );
}
