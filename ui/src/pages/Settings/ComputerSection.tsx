import { useCallback, useEffect, useState } from "react";
import { Button, MessageBar, MessageBarBody, Text, Title3, makeStyles, tokens } from "@fluentui/react-components";
import type { CommandError } from "../../bindings/CommandError";
import type { ThisComputer } from "../../bindings/ThisComputer";
import { toCommandError, useApi } from "../../api";
import { useI18n } from "../../i18n";
import { ErrorState } from "../../components/ErrorState";
import { useFactStyles } from "../../components/facts";

const useStyles = makeStyles({
  row: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap", alignItems: "center" },
});

/// What LicenseDesk keeps on this computer: the log, the journal, the keychain's state, and the
/// tenants signed in to before (which can all be forgotten, sign-ins included).
export function ComputerSection({ className }: { className: string }) {
  const api = useApi();
  const { t, n } = useI18n();
  const s = t.settings;
  const styles = useStyles();
  const facts = useFactStyles();
  const [info, setInfo] = useState<ThisComputer>();
  const [asking, setAsking] = useState(false);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<CommandError>();
  const load = useCallback(() => {
    api.thisComputer().then(setInfo, (e: unknown) => setError(toCommandError(e)));
  }, [api]);
  useEffect(load, [load]);
  if (!info) return error ? <ErrorState title={s.errorTitle} error={error} onRetry={load} /> : null;
  const forget = () => {
    setError(undefined);
    api.forgetSavedTenants().then(
      () => {
        setAsking(false);
        setDone(true);
        load();
      },
      (e: unknown) => setError(toCommandError(e)),
    );
  };
  return (
    <div className={className} aria-labelledby="computer-title" data-testid="this-computer">
      <Title3 as="h2" id="computer-title">{s.computerTitle}</Title3>
      <dl className={facts.list}>
        <dt>{s.logFolder}</dt>
        <dd className={facts.code}>{info.logFolder ?? "—"}</dd>
        <dt>{s.journal}</dt>
        <dd className={facts.code}>{info.journal}</dd>
        <dt>{s.keychain}</dt>
        <dd data-testid="keychain-state">{info.keychainMissing ?? s.keychainOk}</dd>
      </dl>
      {error ? <ErrorState title={s.errorTitle} error={error} /> : null}
      {done ? (
        <MessageBar intent="success" layout="multiline">
          <MessageBarBody>{s.forgotten}</MessageBarBody>
        </MessageBar>
      ) : null}
      <div className={styles.row}>
        <Text>{s.savedTenants(info.savedTenants, n(info.savedTenants))}</Text>
        {info.savedTenants > 0 && !asking ? (
          <Button onClick={() => setAsking(true)} data-testid="forget-tenants">
            {s.forget}
          </Button>
        ) : null}
      </div>
      {asking ? (
        <MessageBar intent="warning" layout="multiline" data-testid="forget-confirm">
          <MessageBarBody>{s.forgetConfirm(info.savedTenants, n(info.savedTenants))}</MessageBarBody>
          <div className={styles.row}>
            <Button appearance="primary" onClick={forget} data-testid="forget-yes">
              {s.forgetYes}
            </Button>
            <Button onClick={() => setAsking(false)} autoFocus>
              {s.forgetNo}
            </Button>
          </div>
        </MessageBar>
      ) : null}
    </div>
  );
}
