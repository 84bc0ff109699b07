import { useCallback, useEffect, useState } from "react";
import {
  Badge,
  Button,
  Card,
  MessageBar,
  MessageBarBody,
  Spinner,
  Text,
  Title2,
  makeStyles,
  tokens,
  typographyStyles,
} from "@fluentui/react-components";
import type { CommandError } from "../../bindings/CommandError";
import type { GroupView } from "../../bindings/GroupView";
import type { PlanPreview } from "../../bindings/PlanPreview";
import { toCommandError, useApi } from "../../api";
import { useI18n } from "../../i18n";
import { ErrorState } from "../../components/ErrorState";
import { useGroupsStyles } from "./styles";
import { RunSteps } from "../../components/ChangeFlow";
import { GroupDetailView } from "./GroupDetailView";
import { DoublesView } from "./DoublesView";

const useOwnStyles = makeStyles({
  grid: { display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(340px, 1fr))", gap: tokens.spacingHorizontalL },
  card: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  name: { ...typographyStyles.subtitle2, margin: 0, overflowWrap: "anywhere" },
  badges: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap" },
  errors: { margin: 0, paddingLeft: tokens.spacingHorizontalL, color: tokens.colorPaletteDarkOrangeForeground1 },
});

/// What is on screen: the groups, one group, the review of a membership change, or the doubles.
type View =
  | { view: "list" }
  | { view: "group"; id: string }
  | { view: "review"; preview: PlanPreview; title: string; replan: () => Promise<PlanPreview>; back: View }
  | { view: "doubles" };

/// Every group that gives licenses: its plans with the apps switched off, its members and
/// who is in error and why. A group opens to its members, where errors are fixed and people
/// added or removed through the same review, journal and undo as every change.
export function GroupsPage() {
  const api = useApi();
  const { t } = useI18n();
  const styles = { ...useGroupsStyles(), ...useOwnStyles() };
  const [view, setView] = useState<View>({ view: "list" });
  const [groups, setGroups] = useState<GroupView[]>();
  const [error, setError] = useState<CommandError>();
  const [generation, setGeneration] = useState(0);

  const load = useCallback(() => {
    setError(undefined);
    setGroups(undefined);
    api.groupsList().then(setGroups, (e: unknown) => setError(toCommandError(e)));
  }, [api]);
  useEffect(load, [load, generation]);

  const review = (preview: PlanPreview, title: string, replan: () => Promise<PlanPreview>, back: View) =>
    setView({ view: "review", preview, title, replan, back });

  if (view.view === "review") {
    return (
      <RunSteps
        first={view.preview}
        title={view.title}
        policy="nobody"
        replan={view.replan}
        onBack={() => setView(view.back)}
        onClose={(changed) => {
          setView(view.back);
          if (changed) setGeneration((g) => g + 1);
        }}
        closeLabel={view.back.view === "group" ? t.groups.backToGroup : t.groups.back}
      />
    );
  }
  if (view.view === "group") {
    return (
      <GroupDetailView
        key={`${view.id}-${generation}`}
        id={view.id}
        onBack={() => setView({ view: "list" })}
        onReview={(preview, title, replan) => review(preview, title, replan, view)}
      />
    );
  }
  if (view.view === "doubles") {
    return (
      <DoublesView
        key={generation}
        onBack={() => setView({ view: "list" })}
        onReview={(preview, replan) => review(preview, t.doubles.reviewTitle, replan, { view: "doubles" })}
      />
    );
  }

  return (
    <section className={styles.page} aria-labelledby="groups-title" data-testid="groups-page">
      <Title2 id="groups-title" as="h1">{t.groups.title}</Title2>
      <Text className={styles.muted}>{t.groups.intro}</Text>
      <div className={styles.bar}>
        <Button onClick={load} data-testid="groups-refresh">{t.groups.refresh}</Button>
        <Button onClick={() => setView({ view: "doubles" })} data-testid="groups-doubles">{t.groups.doublesButton}</Button>
      </div>
      {error ? <ErrorState title={t.groups.errorTitle} error={error} onRetry={load} /> : null}
      {!groups && !error ? <Spinner label={t.groups.loading} /> : null}
      {groups && groups.length === 0 ? (
        <MessageBar intent="info"><MessageBarBody>{t.groups.empty}</MessageBarBody></MessageBar>
      ) : null}
      {groups && groups.length > 0 ? (
        <ul className={styles.grid} style={{ listStyle: "none", padding: 0, margin: 0 }} aria-labelledby="groups-title">
          {groups.map((g) => (
            <li key={g.id}>
              <GroupCard group={g} onOpen={() => setView({ view: "group", id: g.id })} />
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function GroupCard({ group: g, onOpen }: { group: GroupView; onOpen: () => void }) {
  const { t, n } = useI18n();
  const styles = { ...useGroupsStyles(), ...useOwnStyles() };
  return (
    <Card className={styles.card} data-testid="group-card" data-group={g.displayName}>
      <h2 className={styles.name}>{g.displayName}</h2>
      <Text>
        {t.groups.gives}{" "}
        {g.plans.map((p) => (p.appsOff.length > 0 ? `${p.name} (${t.groups.appsOff(p.appsOff.join(", "))})` : p.name)).join(" + ")}
      </Text>
      <div className={styles.badges}>
        <Badge appearance="tint" color="informative" data-testid="group-members">{t.groups.members(g.members, n(g.members))}</Badge>
        {g.inError > 0 ? (
          <Badge appearance="filled" color="danger" data-testid="group-in-error">{t.groups.inError(n(g.inError))}</Badge>
        ) : g.members > 0 && g.pending === 0 ? (
          <Badge appearance="tint" color="success">{t.groups.allFine}</Badge>
        ) : null}
        {g.pending > 0 ? <Badge appearance="tint" color="warning">{t.groups.pending(n(g.pending))}</Badge> : null}
      </div>
      {g.errors.length > 0 ? (
        <ul className={styles.errors}>
          {g.errors.map((e) => (
            <li key={e.code}>{t.groups.errorCount(n(e.count), t.groups.errorWhy(e.code))}</li>
          ))}
        </ul>
      ) : null}
      {g.membershipRule !== null ? <Text className={styles.muted}>{t.groups.dynamic(g.membershipRule)}</Text> : null}
      {g.processing ? <Text className={styles.muted}>{t.groups.processing}</Text> : null}
      <div>
        <Button appearance="primary" onClick={onOpen} aria-label={t.groups.open(g.displayName)} data-testid="group-open">
          {t.groups.openButton}
        </Button>
      </div>
    </Card>
  );
}
