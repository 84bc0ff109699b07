import { useEffect, useState } from "react";
import { MessageBar, MessageBarBody, Text, Title3, makeStyles, tokens } from "@fluentui/react-components";
import type { About } from "../../bindings/About";
import type { InForce } from "../../bindings/InForce";
import { useApi } from "../../api";
import { useI18n } from "../../i18n";
import { useFactStyles } from "../../components/facts";
import parts from "../../generated/licenses.json";

type Part = { name: string; version: string; license: string };

/// Licences by how many parts use them, most used first.
function byLicence(list: Part[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const p of list) counts.set(p.license, (counts.get(p.license) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

const useStyles = makeStyles({
  parts: { maxHeight: "240px", overflowY: "auto", margin: 0, fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
});

/// The About box: the version and commit, and the organisation's policy in force (every key,
/// and the file it came from), or why the policy file cannot be used.
export function AboutSection({ className }: { className: string }) {
  const api = useApi();
  const { t, n } = useI18n();
  const s = t.settings;
  const styles = useStyles();
  const facts = useFactStyles();
  const [about, setAbout] = useState<About>();
  useEffect(() => {
    api.about().then(setAbout, () => setAbout(undefined));
  }, [api]);
  if (!about) return null;
  const p = about.policy;
  const yesNo = (v: boolean | null, unset: string) => (v === null ? unset : v ? s.yes : s.no);
  const rows = (f: InForce): [string, string][] => [
    [s.policyKey.tenant, f.tenant ?? s.notSet],
    [s.policyKey.clientId, f.clientId ?? s.notSet],
    [s.policyKey.cloud, f.cloud ?? s.notSet],
    [s.policyKey.locked, yesNo(f.locked, s.no)],
    [s.policyKey.allowDemo, yesNo(f.allowDemo, s.yes)],
    [s.policyKey.productNamesRefresh, yesNo(f.productNamesRefresh, s.notSet)],
    [s.policyKey.requireSignedPlans, yesNo(f.requireSignedPlans, s.no)],
    [s.policyKey.trustedPlanKeys, f.trustedPlanKeys.length === 0 ? s.notSet : f.trustedPlanKeys.map((k) => k.name).join(", ")],
  ];
  return (
    <div className={className} aria-labelledby="about-title" data-testid="about">
      <Title3 as="h2" id="about-title">{s.aboutTitle}</Title3>
      <Text data-testid="about-version">{s.version(about.version, about.commit)}</Text>
      <Text weight="semibold">{s.partsTitle}</Text>
      <Text data-testid="about-parts">
        {s.parts(n(parts.rust.length), n(parts.npm.length))}{" "}
        {byLicence([...parts.rust, ...parts.npm])
          .map(([licence, count]) => `${licence} (${n(count)})`)
          .join(", ")}
      </Text>
      <details>
        <summary>{s.partsList}</summary>
        <ul className={styles.parts}>
          {[...parts.rust, ...parts.npm].map((p) => (
            <li key={`${p.name}@${p.version}`}>
              {p.name} {p.version} — {p.license}
            </li>
          ))}
        </ul>
      </details>
      <Text weight="semibold">{s.policyTitle}</Text>
      {p.problem ? (
        <MessageBar intent="error" layout="multiline" data-testid="about-policy-broken">
          <MessageBarBody>{t.policy.broken(p.problem.file, p.problem.line === null ? "" : String(p.problem.line), p.problem.why)}</MessageBarBody>
        </MessageBar>
      ) : p.inForce?.file ? (
        <>
          <Text>{s.policyFrom(p.inForce.file)}</Text>
          <dl className={facts.list} data-testid="about-policy">
            {rows(p.inForce).map(([k, v]) => (
              <div key={k} style={{ display: "contents" }}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
        </>
      ) : (
        <Text data-testid="about-policy-none">{s.policyNone(p.lookedAt)}</Text>
      )}
    </div>
  );
}
