import { useCallback, useEffect, useState } from "react";
import {
  Button,
  Checkbox,
  MessageBar,
  MessageBarBody,
  Spinner,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Title2,
} from "@fluentui/react-components";
import type { CommandError } from "../../bindings/CommandError";
import type { DoubleRow } from "../../bindings/DoubleRow";
import type { PlanPreview } from "../../bindings/PlanPreview";
import { toCommandError, useApi } from "../../api";
import { useI18n } from "../../i18n";
import { ErrorState } from "../../components/ErrorState";
import { useGroupsStyles } from "./styles";


/// People who hold a plan both directly and from a group: taking away the direct copy keeps
/// everything they use (the group still gives it) and frees no seat; the page says so.
export function DoublesView({
  onBack,
  onReview,
}: {
  onBack: () => void;
  onReview: (preview: PlanPreview, replan: () => Promise<PlanPreview>) => void;
}) {
  const api = useApi();
  const { t, n } = useI18n();
  const styles = useGroupsStyles();
  const [rows, setRows] = useState<DoubleRow[]>();
  const [error, setError] = useState<CommandError>();
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    setError(undefined);
    api.doublesScan().then(
      (r) => {
        setRows(r);
        setChosen(new Set(r.map((x) => x.key)));
      },
      (e: unknown) => setError(toCommandError(e)),
    );
  }, [api]);
  useEffect(load, [load]);

  const review = () => {
    const keys = [...chosen];
    const again = () => api.doublesPlan(keys);
    setBusy(true);
    setError(undefined);
    again().then(
      (preview) => {
        setBusy(false);
        onReview(preview, again);
      },
      (e: unknown) => {
        setBusy(false);
        setError(toCommandError(e));
      },
    );
  };
  const all = rows !== undefined && rows.length > 0 && rows.every((r) => chosen.has(r.key));

  return (
    <section className={styles.page} aria-labelledby="doubles-title" data-testid="doubles">
      <div>
        <Button onClick={onBack}>{t.groups.back}</Button>
      </div>
      <Title2 id="doubles-title" as="h1">{t.doubles.title}</Title2>
      <Text>{t.doubles.intro}</Text>
      {error ? <ErrorState title={t.doubles.title} error={error} onRetry={load} /> : null}
      {!rows && !error ? <Spinner label={t.doubles.loading} /> : null}
      {rows && rows.length === 0 ? <MessageBar intent="success"><MessageBarBody>{t.doubles.empty}</MessageBarBody></MessageBar> : null}
      {rows && rows.length > 0 ? (
        <>
          <div className={styles.bar}>
            <Button appearance="primary" disabled={chosen.size === 0 || busy} onClick={review} data-testid="doubles-review">
              {t.doubles.review(chosen.size, n(chosen.size))}
            </Button>
            {busy ? <Spinner size="tiny" /> : null}
          </div>
          <div className={styles.tableBox}>
            <Table aria-labelledby="doubles-title" size="small">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell style={{ width: 44 }}>
                    <Checkbox
                      checked={all}
                      aria-label={t.groups.selectAll}
                      onChange={(_, d) => setChosen(d.checked === true ? new Set(rows.map((r) => r.key)) : new Set())}
                    />
                  </TableHeaderCell>
                  <TableHeaderCell>{t.groups.person}</TableHeaderCell>
                  <TableHeaderCell>{t.doubles.plan}</TableHeaderCell>
                  <TableHeaderCell>{t.doubles.groupsCol}</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {rows.map((r) => (
                  <TableRow key={r.key} data-testid="double-row">
                    <TableCell>
                      <Checkbox
                        checked={chosen.has(r.key)}
                        aria-label={t.groups.select(`${r.displayName} — ${r.planName}`)}
                        onChange={(_, d) =>
                          setChosen((c) => {
                            const next = new Set(c);
                            if (d.checked === true) next.add(r.key);
                            else next.delete(r.key);
                            return next;
                          })
                        }
                      />
                    </TableCell>
                    <TableCell>
                      <Text weight="semibold">{r.displayName}</Text>
                      <span className={styles.upn}>{r.userPrincipalName}</span>
                    </TableCell>
                    <TableCell>{r.planName}</TableCell>
                    <TableCell>{r.groupNames.join(", ")}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
        </>
      ) : null}
    </section>
  );
}
