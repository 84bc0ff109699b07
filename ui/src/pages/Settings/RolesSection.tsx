import { useCallback, useEffect, useState } from "react";
import {
  Badge,
  Button,
  Checkbox,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Option,
  Spinner,
  Text,
  Title3,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { CommandError } from "../../bindings/CommandError";
import type { Role } from "../../bindings/Role";
import type { RoleChoices } from "../../bindings/RoleChoices";
import type { RolesView } from "../../bindings/RolesView";
import { planOf, roleWords } from "../../components/roleWords";
import { toCommandError, useApi } from "../../api";
import { useI18n } from "../../i18n";
import { ErrorState } from "../../components/ErrorState";

const useStyles = makeStyles({
  row: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "center", flexWrap: "wrap" },
  list: { margin: 0, paddingLeft: 0, listStyle: "none", display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  role: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
  problems: { margin: 0, paddingLeft: tokens.spacingHorizontalL, color: tokens.colorPaletteDarkOrangeForeground1 },
  editor: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingVerticalM,
    border: `1px solid ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  entry: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS, paddingLeft: tokens.spacingHorizontalM, borderLeft: `3px solid ${tokens.colorBrandStroke2}` },
  apps: { display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(220px, 1fr))" },
});

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/// Role templates: listed with what each gives (and what to fix when broken), created and
/// edited here with the tenant's plans, apps and groups to pick from, and shared as a file.
export function RolesSection({ className }: { className: string }) {
  const api = useApi();
  const { t, n, locale } = useI18n();
  const r = t.roles;
  const styles = useStyles();
  const [view, setView] = useState<RolesView>();
  const [choices, setChoices] = useState<RoleChoices>();
  const [error, setError] = useState<CommandError>();
  const [editing, setEditing] = useState<{ index: number | null; role: Role } | null>(null);
  const [notice, setNotice] = useState<string>();

  const load = useCallback(() => {
    setError(undefined);
    api.rolesGet().then(setView, (e: unknown) => setError(toCommandError(e)));
    api.rolesChoices().then(setChoices, (e: unknown) => setError(toCommandError(e)));
  }, [api]);
  useEffect(load, [load]);

  const roles = view?.roles.map((v) => v.role) ?? [];
  const save = (next: Role[], done: string) => {
    setError(undefined);
    setNotice(undefined);
    api.rolesSave({ roles: next }).then(
      (v) => {
        setView(v);
        setEditing(null);
        setNotice(done);
      },
      (e: unknown) => setError(toCommandError(e)),
    );
  };
  const words = (role: Role) => roleWords(role, choices, t);

  return (
    <section className={className} aria-labelledby="roles-title" data-testid="roles">
      <Title3 as="h2" id="roles-title">{r.title}</Title3>
      <Text>{r.intro}</Text>
      {error ? <ErrorState title={r.title} error={error} /> : null}
      {notice ? <MessageBar intent="success"><MessageBarBody data-testid="roles-notice">{notice}</MessageBarBody></MessageBar> : null}
      {!view && !error ? <Spinner size="small" label={r.loading} /> : null}
      {view && view.roles.length === 0 && !editing ? <Text>{r.empty}</Text> : null}
      {view && view.roles.length > 0 ? (
        <ul className={styles.list}>
          {view.roles.map((v, i) => (
            <li key={v.role.name} className={styles.role} data-testid="role" data-role={v.role.name}>
              <div className={styles.row}>
                <Text weight="semibold">{v.role.name}</Text>
                {v.problems.length > 0 ? <Badge color="danger" appearance="tint">{r.broken}</Badge> : null}
              </div>
              <Text>{words(v.role)}</Text>
              {v.problems.length > 0 ? (
                <ul className={styles.problems}>
                  {v.problems.map((p) => (
                    <li key={`${p.entry}-${p.problem}`}>{`${p.entry}: ${p.problem}`}</li>
                  ))}
                </ul>
              ) : null}
              <div className={styles.row}>
                <Button size="small" onClick={() => setEditing({ index: i, role: structuredClone(v.role) })} aria-label={r.edit(v.role.name)} data-testid="role-edit">
                  {r.editButton}
                </Button>
                <Button size="small" onClick={() => save(roles.filter((_, j) => j !== i), r.saved)} aria-label={r.remove(v.role.name)} data-testid="role-delete">
                  {r.deleteButton}
                </Button>
              </div>
            </li>
          ))}
        </ul>
      ) : null}
      {editing ? (
        <RoleEditor
          role={editing.role}
          choices={choices}
          taken={roles.filter((_, j) => j !== editing.index).map((x) => x.name)}
          onCancel={() => setEditing(null)}
          onSave={(role) => save(editing.index === null ? [...roles, role] : roles.map((x, j) => (j === editing.index ? role : x)), r.saved)}
        />
      ) : (
        <div className={styles.row}>
          <Button appearance="primary" onClick={() => setEditing({ index: null, role: { name: "", plans: [], groups: [] } })} data-testid="role-new">
            {r.add}
          </Button>
          <Button
            onClick={() =>
              api.rolesImport(locale).then(
                (v) => {
                  if (!v) return;
                  setView(v);
                  setNotice(r.imported(v.roles.length, n(v.roles.length)));
                },
                (e: unknown) => setError(toCommandError(e)),
              )
            }
            data-testid="roles-import"
          >
            {r.import}
          </Button>
          <Button
            onClick={() => api.rolesExport(locale).then((path) => path && setNotice(r.exported(path)), (e: unknown) => setError(toCommandError(e)))}
            data-testid="roles-export"
          >
            {r.export}
          </Button>
        </div>
      )}
    </section>
  );
}

function RoleEditor({
  role: first,
  choices,
  taken,
  onCancel,
  onSave,
}: {
  role: Role;
  choices: RoleChoices | undefined;
  taken: string[];
  onCancel: () => void;
  onSave: (role: Role) => void;
}) {
  const { t } = useI18n();
  const r = t.roles;
  const styles = useStyles();
  const [role, setRole] = useState<Role>(first);
  const [tried, setTried] = useState(false);
  const nameMissing = role.name.trim() === "";
  const nameTaken = taken.some((x) => same(x, role.name));
  const empty = role.plans.length === 0 && role.groups.length === 0;
  const unchosen = role.plans.some((p) => p.sku === "") || role.groups.some((g) => g === "");
  const problem = nameMissing ? r.needName : nameTaken ? r.nameTaken : empty || unchosen ? r.needSomething : null;

  return (
    <div className={styles.editor} data-testid="role-editor">
      <Field label={r.name} required validationMessage={tried && (nameMissing || nameTaken) ? problem : undefined}>
        <Input value={role.name} onChange={(_, d) => setRole({ ...role, name: d.value })} data-testid="role-name" />
      </Field>
      <Text weight="semibold">{r.plans}</Text>
      {role.plans.map((p, i) => {
        const plan = planOf(choices, p.sku);
        const setPlan = (next: Partial<(typeof role.plans)[number]>) =>
          setRole({ ...role, plans: role.plans.map((x, j) => (j === i ? { ...x, ...next } : x)) });
        return (
          <div key={i} className={styles.entry}>
            <div className={styles.row}>
              <Field label={r.plan}>
                <Dropdown
                  placeholder={r.choosePlan}
                  value={plan?.name ?? p.sku}
                  selectedOptions={plan ? [plan.partNumber] : []}
                  onOptionSelect={(_, d) => setPlan({ sku: d.optionValue ?? "", disabledPlans: [] })}
                  data-testid="role-plan"
                >
                  {(choices?.plans ?? []).map((c) => (
                    <Option key={c.skuId} value={c.partNumber} text={c.name}>{c.name}</Option>
                  ))}
                </Dropdown>
              </Field>
              <Button onClick={() => setRole({ ...role, plans: role.plans.filter((_, j) => j !== i) })} aria-label={r.removePlan(plan?.name ?? p.sku)}>
                {t.settings.remove}
              </Button>
            </div>
            {plan && plan.apps.length > 0 ? (
              <details>
                <summary>{`${r.appsOffLabel(plan.name)} (${p.disabledPlans.length})`}</summary>
                <div className={styles.apps} role="group" aria-label={r.appsOffLabel(plan.name)}>
                  {plan.apps.map((a) => (
                    <Checkbox
                      key={a.technicalName}
                      label={a.name}
                      checked={p.disabledPlans.some((d) => same(d, a.technicalName))}
                      onChange={(_, d) =>
                        setPlan({
                          disabledPlans:
                            d.checked === true
                              ? [...p.disabledPlans, a.technicalName]
                              : p.disabledPlans.filter((x) => !same(x, a.technicalName)),
                        })
                      }
                      data-testid={`role-app-${a.technicalName}`}
                    />
                  ))}
                </div>
              </details>
            ) : null}
          </div>
        );
      })}
      <div>
        <Button size="small" onClick={() => setRole({ ...role, plans: [...role.plans, { sku: "", disabledPlans: [] }] })} data-testid="role-add-plan">
          {r.addPlan}
        </Button>
      </div>
      <Text weight="semibold">{r.groupsLabel}</Text>
      {role.groups.map((g, i) => {
        const group = choices?.groups.find((c) => same(c.key, g) || same(c.displayName, g));
        return (
          <div key={i} className={styles.row}>
            <Field label={r.chooseGroup}>
              <Dropdown
                placeholder={r.chooseGroup}
                value={group?.displayName ?? g}
                selectedOptions={group ? [group.key] : []}
                onOptionSelect={(_, d) => setRole({ ...role, groups: role.groups.map((x, j) => (j === i ? (d.optionValue ?? "") : x)) })}
                data-testid="role-group"
              >
                {(choices?.groups ?? []).map((c) => (
                  <Option key={c.key} value={c.key} text={c.displayName}>{c.displayName}</Option>
                ))}
              </Dropdown>
            </Field>
            <Button onClick={() => setRole({ ...role, groups: role.groups.filter((_, j) => j !== i) })} aria-label={r.removeGroup(group?.displayName ?? g)}>
              {t.settings.remove}
            </Button>
          </div>
        );
      })}
      <div>
        <Button size="small" onClick={() => setRole({ ...role, groups: [...role.groups, ""] })} disabled={(choices?.groups.length ?? 0) === 0} data-testid="role-add-group">
          {r.addGroup}
        </Button>
      </div>
      {/* A name's problem shows at the name; any other here. */}
      {tried && problem && !nameMissing && !nameTaken ? <Text role="alert" data-testid="role-problem">{problem}</Text> : null}
      <div className={styles.row}>
        <Button
          appearance="primary"
          onClick={() => {
            setTried(true);
            if (!problem) onSave({ ...role, name: role.name.trim() });
          }}
          data-testid="role-save"
        >
          {r.save}
        </Button>
        <Button onClick={onCancel}>{r.cancel}</Button>
      </div>
    </div>
  );
}
