import { useEffect, useState } from "react";
import {
  Body1,
  Button,
  Card,
  Checkbox,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Option,
  Spinner,
  Text,
  Title2,
  Title3,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Copy20Regular, Open20Regular, Globe20Regular, Keyboard20Regular, LockClosed20Regular } from "@fluentui/react-icons";
import type { CommandError } from "../../bindings/CommandError";
import type { DeviceCodeInfo } from "../../bindings/DeviceCodeInfo";
import type { SavedTenant } from "../../bindings/SavedTenant";
import type { TenantInfo } from "../../bindings/TenantInfo";
import type { TenantSetup } from "../../bindings/TenantSetup";
import type { PolicyInfo } from "../../bindings/PolicyInfo";
import { toCommandError, useApi } from "../../api";
import { useI18n } from "../../i18n";
import { useCopy } from "../../clipboard";
import { ErrorState } from "../../components/ErrorState";
import { savedTenantName } from "../../components/AccountControls";
import { useFactStyles } from "../../components/facts";

const useStyles = makeStyles({
  page: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
    padding: `${tokens.spacingVerticalXL} ${tokens.spacingHorizontalXXL}`,
    maxWidth: "760px",
  },
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  buttons: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
  code: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeHero800,
    lineHeight: tokens.lineHeightHero800,
    letterSpacing: "0.15em",
    fontWeight: tokens.fontWeightSemibold,
  },
  card: { gap: tokens.spacingVerticalM },
  saved: { display: "flex", justifyContent: "space-between", alignItems: "center", gap: tokens.spacingHorizontalM },
  guide: { margin: 0, paddingLeft: tokens.spacingHorizontalXL, display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
});

const CLOUDS = ["global", "usgov", "usgov-dod", "china"] as const;

type Flow =
  | { step: "form" }
  | { step: "browser" }
  | { step: "device"; info: DeviceCodeInfo }
  | { step: "failed"; error: CommandError };

/// Connect to a real tenant: the setup form, sign-in with the browser or a code, saved tenants.
/// Where the organisation deployed a policy, its tenant and app are used ("Sign in to …"),
/// and when it locks them the form is not offered (Rust refuses other setups anyway).
export function TenantPage({ onSignedIn, demoOff }: { onSignedIn: (tenant: TenantInfo) => void; demoOff?: boolean }) {
  const api = useApi();
  const { t } = useI18n();
  const styles = useStyles();
  const facts = useFactStyles();
  const [setup, setSetup] = useState<TenantSetup>({
    tenant: "",
    clientId: "",
    cloud: "global",
    setUsageLocations: false,
    manageGroups: false,
    authorityHost: null,
    graphEndpoint: null,
  });
  const [advanced, setAdvanced] = useState(false);
  const [flow, setFlow] = useState<Flow>({ step: "form" });
  const [saved, setSaved] = useState<SavedTenant[]>([]);
  const codeCopy = useCopy();

  useEffect(() => {
    api.savedTenants().then(setSaved, () => setSaved([]));
  }, [api]);
  // The organisation's policy: undefined while it is read.
  const [policy, setPolicy] = useState<PolicyInfo>();
  const [otherSettings, setOtherSettings] = useState(false);
  useEffect(() => {
    api.about().then(
      (about) => {
        setPolicy(about.policy);
        const p = about.policy.inForce;
        if (p?.tenant || p?.clientId || p?.cloud) {
          setSetup((s) => ({ ...s, tenant: p.tenant ?? s.tenant, clientId: p.clientId ?? s.clientId, cloud: p.cloud ?? s.cloud }));
        }
      },
      () => setPolicy({ inForce: null, problem: null, lookedAt: "" }),
    );
  }, [api]);
  const managed = policy?.inForce?.tenant && policy.inForce.clientId ? policy.inForce : undefined;
  // The organisation's setup, whatever the form below says.
  const managedSetup: TenantSetup | undefined = managed
    ? { ...setup, tenant: managed.tenant ?? "", clientId: managed.clientId ?? "", cloud: managed.cloud ?? "global", authorityHost: null, graphEndpoint: null }
    : undefined;
  const locked = managed?.locked === true;
  const broken = policy?.problem ?? undefined;
  // The form: never under a broken policy or a lock; under a policy, on request.
  const showForm = policy !== undefined && !broken && !locked && (!managed || otherSettings);
  const allowedSaved = locked
    ? saved.filter((s) => s.setup.tenant.toLowerCase() === managed?.tenant?.toLowerCase() && s.setup.clientId.toLowerCase() === managed?.clientId?.toLowerCase())
    : broken
      ? []
      : saved;

  const cloudLabel: Record<(typeof CLOUDS)[number], string> = {
    global: t.cloudGlobal,
    usgov: t.cloudUsGov,
    "usgov-dod": t.cloudDod,
    china: t.cloudChina,
  };
  const ready = setup.tenant.trim() !== "" && setup.clientId.trim() !== "";
  const fail = (e: unknown) => setFlow({ step: "failed", error: toCommandError(e) });

  const withBrowser = (chosen: TenantSetup = setup) => {
    setFlow({ step: "browser" });
    api.signInWithBrowser(chosen).then(onSignedIn, fail);
  };
  const withCode = (chosen: TenantSetup = setup) => {
    api.startDeviceSignIn(chosen).then((info) => {
      codeCopy.reset();
      setFlow({ step: "device", info });
      api.finishDeviceSignIn().then(onSignedIn, fail);
    }, fail);
  };
  const cancel = () => {
    void api.cancelSignIn();
    setFlow({ step: "form" });
  };

  return (
    <main className={styles.page} aria-labelledby="tenant-title">
      <Title2 as="h1" id="tenant-title">
        {t.tenantTitle}
      </Title2>
      <Body1>{t.tenantIntro}</Body1>

      {demoOff && !broken ? (
        <MessageBar intent="info" layout="multiline" data-testid="demo-off">
          <MessageBarBody>{t.policy.demoOff}</MessageBarBody>
        </MessageBar>
      ) : null}

      {broken ? (
        <MessageBar intent="error" layout="multiline" data-testid="policy-broken">
          <MessageBarBody>
            <MessageBarTitle>{t.policy.brokenTitle}</MessageBarTitle>
            {t.policy.broken(broken.file, broken.line === null ? "" : String(broken.line), broken.why)}
          </MessageBarBody>
        </MessageBar>
      ) : null}

      {managed && (flow.step === "form" || flow.step === "failed") ? (
        <Card className={styles.card} data-testid="policy-managed">
          <Title3 as="h2">{t.policy.managedTitle}</Title3>
          <Text>{t.policy.managed(managed.file ?? "")}</Text>
          <dl className={facts.list}>
            <dt>{t.fieldTenant}</dt>
            <dd className={facts.code} data-testid="policy-tenant">{managed.tenant}</dd>
            <dt>{t.fieldClientId}</dt>
            <dd className={facts.code}>{managed.clientId}</dd>
            <dt>{t.fieldCloud}</dt>
            <dd className={facts.code}>{cloudLabel[(managed.cloud ?? "global") as (typeof CLOUDS)[number]] ?? managed.cloud}</dd>
          </dl>
          {locked ? (
            <Text data-testid="policy-locked">
              <LockClosed20Regular aria-hidden style={{ verticalAlign: "middle" }} /> {t.policy.locked}
            </Text>
          ) : null}
          <Checkbox
            checked={setup.setUsageLocations}
            onChange={(_, d) => setSetup({ ...setup, setUsageLocations: d.checked === true })}
            label={t.fieldUsageLocations}
          />
          <Checkbox
            checked={setup.manageGroups}
            onChange={(_, d) => setSetup({ ...setup, manageGroups: d.checked === true })}
            label={t.fieldManageGroups}
          />
          <div className={styles.buttons}>
            <Button appearance="primary" icon={<Globe20Regular />} onClick={() => withBrowser(managedSetup)} data-testid="policy-sign-in">
              {t.policy.signIn(managed.tenant ?? "")}
            </Button>
            <Button icon={<Keyboard20Regular />} onClick={() => withCode(managedSetup)} data-testid="policy-sign-in-code">
              {t.policy.signInCode}
            </Button>
            {locked ? null : (
              <Button appearance="subtle" aria-expanded={otherSettings} onClick={() => setOtherSettings((o) => !o)} data-testid="policy-other">
                {t.policy.otherSettings}
              </Button>
            )}
          </div>
        </Card>
      ) : null}

      {flow.step === "failed" ? (
        <ErrorState title={t.signInFailed} error={flow.error} onRetry={() => setFlow({ step: "form" })} />
      ) : null}

      {flow.step === "device" ? (
        <Card className={styles.card} data-testid="device-code-panel">
          <Title3 as="h2">{t.deviceTitle}</Title3>
          <span className={styles.code} data-testid="device-code">
            {flow.info.userCode}
          </span>
          <Text>{t.deviceSteps(flow.info.verificationUri)}</Text>
          <div className={styles.buttons}>
            <Button icon={<Copy20Regular />} onClick={() => codeCopy.copy(flow.info.userCode)} aria-live="polite">
              {codeCopy.state === "copied" ? t.copied : codeCopy.state === "failed" ? t.copyFailed : t.copyCode}
            </Button>
            <Button icon={<Open20Regular />} appearance="primary" onClick={() => void api.openVerificationPage()}>
              {t.openPage}
            </Button>
            <Button onClick={cancel}>{t.cancel}</Button>
          </div>
          <Spinner size="tiny" label={t.waiting} labelPosition="after" />
        </Card>
      ) : null}

      {flow.step === "browser" ? (
        <Card className={styles.card}>
          <Spinner label={t.signInWaitingBrowser} />
          <Button onClick={cancel}>{t.cancel}</Button>
        </Card>
      ) : null}

      {showForm && (flow.step === "form" || flow.step === "failed") ? (
        <form
          className={styles.form}
          onSubmit={(e) => {
            e.preventDefault();
            if (ready) withCode();
          }}
        >
          <Field label={t.fieldTenant} hint={t.fieldTenantHint} required>
            <Input value={setup.tenant} onChange={(_, d) => setSetup({ ...setup, tenant: d.value })} data-testid="field-tenant" />
          </Field>
          <Field label={t.fieldClientId} hint={t.fieldClientIdHint} required>
            <Input value={setup.clientId} onChange={(_, d) => setSetup({ ...setup, clientId: d.value })} data-testid="field-client-id" />
          </Field>
          <Field label={t.fieldCloud}>
            <Dropdown
              value={cloudLabel[setup.cloud as (typeof CLOUDS)[number]] ?? setup.cloud}
              selectedOptions={[setup.cloud]}
              onOptionSelect={(_, d) => setSetup({ ...setup, cloud: d.optionValue ?? "global" })}
            >
              {CLOUDS.map((c) => (
                <Option key={c} value={c}>
                  {cloudLabel[c]}
                </Option>
              ))}
            </Dropdown>
          </Field>
          <Checkbox
            checked={setup.setUsageLocations}
            onChange={(_, d) => setSetup({ ...setup, setUsageLocations: d.checked === true })}
            label={t.fieldUsageLocations}
          />
          <Checkbox
            checked={setup.manageGroups}
            onChange={(_, d) => setSetup({ ...setup, manageGroups: d.checked === true })}
            label={t.fieldManageGroups}
          />
          <Checkbox checked={advanced} onChange={(_, d) => setAdvanced(d.checked === true)} label={t.advanced} data-testid="toggle-advanced" />
          {advanced ? (
            <>
              <Field label={t.fieldAuthority}>
                <Input
                  value={setup.authorityHost ?? ""}
                  placeholder="https://login.microsoftonline.com"
                  onChange={(_, d) => setSetup({ ...setup, authorityHost: d.value || null })}
                  data-testid="field-authority"
                />
              </Field>
              <Field label={t.fieldGraph}>
                <Input
                  value={setup.graphEndpoint ?? ""}
                  placeholder="https://graph.microsoft.com"
                  onChange={(_, d) => setSetup({ ...setup, graphEndpoint: d.value || null })}
                  data-testid="field-graph"
                />
              </Field>
            </>
          ) : null}
          <div className={styles.buttons}>
            <Button appearance="primary" icon={<Globe20Regular />} disabled={!ready} onClick={() => withBrowser()}>
              {t.signInBrowser}
            </Button>
            <Button icon={<Keyboard20Regular />} disabled={!ready} onClick={() => withCode()} data-testid="sign-in-code">
              {t.signInCode}
            </Button>
          </div>
        </form>
      ) : null}

      {allowedSaved.length > 0 ? (
        <section aria-labelledby="saved-title">
          <Title3 as="h2" id="saved-title">
            {t.savedTenantsTitle}
          </Title3>
          {allowedSaved.map((s) => (
            <div className={styles.saved} key={`${s.setup.tenant}|${s.setup.clientId}`}>
              <Text>
                {savedTenantName(s)}
                {s.userPrincipalName ? ` · ${s.userPrincipalName}` : ""}
              </Text>
              <Button onClick={() => api.switchTenant(s.setup).then(onSignedIn, fail)}>{t.switchTo}</Button>
            </div>
          ))}
        </section>
      ) : null}

      {managed ? null : (
      <section aria-labelledby="guide-title">
        <Title3 as="h2" id="guide-title">
          {t.guideTitle}
        </Title3>
        <ol className={styles.guide}>
          {t.guideSteps.map((step) => (
            <li key={step}>
              <Text>{step}</Text>
            </li>
          ))}
        </ol>
      </section>
      )}
    </main>
  );
}
