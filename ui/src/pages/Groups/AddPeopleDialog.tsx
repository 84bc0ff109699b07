import { useEffect, useState } from "react";
import {
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  Spinner,
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { CommandError } from "../../bindings/CommandError";
import type { UserRow } from "../../bindings/UserRow";
import { toCommandError, useApi } from "../../api";
import { useI18n } from "../../i18n";
import { ErrorState } from "../../components/ErrorState";

const useStyles = makeStyles({
  list: {
    display: "flex",
    flexDirection: "column",
    maxHeight: "320px",
    overflowY: "auto",
    marginTop: tokens.spacingVerticalS,
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  upn: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
});

const FOUND = 50;

/// Find people by name, e-mail or department and choose who joins the group; nothing changes
/// here: the choice goes to the review.
export function AddPeopleDialog({
  groupName,
  onCancel,
  onReview,
}: {
  groupName: string;
  onCancel: () => void;
  onReview: (ids: string[]) => void;
}) {
  const api = useApi();
  const { t, n } = useI18n();
  const styles = useStyles();
  const [search, setSearch] = useState("");
  const [rows, setRows] = useState<UserRow[]>();
  const [error, setError] = useState<CommandError>();
  const [chosen, setChosen] = useState<Map<string, string>>(new Map());

  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      api
        .usersPage({ search, unlicensed: false, noUsageLocation: false, licenseErrors: false, department: null, usageLocation: null, skuId: null }, 0, FOUND)
        .then(
          (page) => current && setRows(page.rows),
          (e: unknown) => current && setError(toCommandError(e)),
        );
    }, 200);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [api, search]);

  return (
    <Dialog open modalType="modal" onOpenChange={(_, d) => !d.open && onCancel()}>
      <DialogSurface aria-describedby={undefined}>
        <DialogBody>
          <DialogTitle>{t.addPeople.title(groupName)}</DialogTitle>
          <DialogContent>
            <Field label={t.addPeople.search}>
              <Input value={search} placeholder={t.addPeople.placeholder} onChange={(_, d) => setSearch(d.value)} data-testid="add-people-search" />
            </Field>
            {error ? <ErrorState title={t.addPeople.search} error={error} /> : null}
            {!rows && !error ? <Spinner size="small" /> : null}
            {rows && rows.length === 0 ? <Text>{t.addPeople.none}</Text> : null}
            {rows && rows.length > 0 ? (
              <div className={styles.list} role="group" aria-label={t.addPeople.search}>
                {rows.map((r) => (
                  <Checkbox
                    key={r.id}
                    checked={chosen.has(r.id)}
                    aria-label={t.addPeople.choose(r.displayName)}
                    onChange={(_, d) =>
                      setChosen((c) => {
                        const next = new Map(c);
                        if (d.checked === true) next.set(r.id, r.displayName);
                        else next.delete(r.id);
                        return next;
                      })
                    }
                    label={
                      <span>
                        {r.displayName} <span className={styles.upn}>{r.userPrincipalName}</span>
                      </span>
                    }
                    data-testid="add-people-row"
                  />
                ))}
              </div>
            ) : null}
            <Text role="status">{t.addPeople.chosen(n(chosen.size))}</Text>
          </DialogContent>
          <DialogActions>
            <Button onClick={onCancel}>{t.addPeople.cancel}</Button>
            <Button appearance="primary" disabled={chosen.size === 0} onClick={() => onReview([...chosen.keys()])} data-testid="add-people-review">
              {t.addPeople.review}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
