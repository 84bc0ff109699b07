import { type ReactNode, useState } from "react";
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
  Text,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { CommandError } from "../../bindings/CommandError";
import type { Exclusion } from "../../bindings/Exclusion";
import type { ReclaimRow } from "../../bindings/ReclaimRow";
import type { ReclaimScan } from "../../bindings/ReclaimScan";
import { toCommandError, useApi } from "../../api";
import { useI18n } from "../../i18n";

// Who the Reclaim page never proposes: leaving someone (or a group's people) out, with why;
// changing why; proposing them again.

const useStyles = makeStyles({
  exclusions: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS, maxWidth: "720px" },
  exclusion: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "center", flexWrap: "wrap" },
  muted: { color: tokens.colorNeutralForeground3 },
});

/// Asks why someone should never be proposed, and keeps it.
export function LeaveOut({ row, onClose, onError }: { row: ReclaimRow; onClose: (changed: boolean) => void; onError: (e: CommandError) => void }) {
  const { t } = useI18n();
  const [wholeGroup, setWholeGroup] = useState(false);
  return (
    <WhyDialog
      title={t.reclaim.excludeTitle(row.displayName)}
      initial=""
      testId="reclaim-exclude"
      saveLabel={t.reclaim.excludeSave}
      keep={(reason) =>
        wholeGroup && row.groupId
          ? { kind: "group", key: row.groupId, name: row.groupName ?? row.groupId, reason }
          : { kind: "person", key: row.userPrincipalName, name: row.displayName, reason }
      }
      onClose={onClose}
      onError={onError}
      before={<Text block>{t.reclaim.excludeText}</Text>}
      after={
        row.groupId ? (
          <Checkbox
            label={t.reclaim.excludeGroup(row.groupName ?? row.groupId)}
            checked={wholeGroup}
            onChange={(_, d) => setWholeGroup(d.checked === true)}
            data-testid="reclaim-exclude-group"
          />
        ) : null
      }
    />
  );
}

/// A dialog that asks why someone (or a group) is left out and keeps the exclusion `keep`
/// makes of the answer.
function WhyDialog({
  title,
  initial,
  testId,
  saveLabel,
  keep,
  onClose,
  onError,
  before,
  after,
}: {
  title: string;
  initial: string;
  testId: string;
  saveLabel: string;
  keep: (reason: string) => Exclusion;
  onClose: (changed: boolean) => void;
  onError: (e: CommandError) => void;
  before?: ReactNode;
  after?: ReactNode;
}) {
  const api = useApi();
  const { t } = useI18n();
  const [reason, setReason] = useState(initial);
  const [busy, setBusy] = useState(false);
  return (
    <Dialog open onOpenChange={(_, d) => !d.open && onClose(false)}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{title}</DialogTitle>
          <DialogContent>
            {before}
            <Field label={t.reclaim.excludeReason} hint={t.reclaim.excludeReasonHint}>
              <Input value={reason} onChange={(_, d) => setReason(d.value)} maxLength={500} data-testid={`${testId}-reason`} />
            </Field>
            {after}
          </DialogContent>
          <DialogActions>
            <Button onClick={() => onClose(false)}>{t.reclaim.cancel}</Button>
            <Button
              appearance="primary"
              disabled={busy}
              onClick={() => {
                setBusy(true);
                api.exclude(keep(reason.trim())).then(
                  () => onClose(true),
                  (e: unknown) => {
                    onError(toCommandError(e));
                    onClose(false);
                  },
                );
              }}
              data-testid={`${testId}-save`}
            >
              {saveLabel}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}

/// Who is never proposed, and why; each can be proposed again.
export function Exclusions({ scan, onChanged, onError }: { scan?: ReclaimScan; onChanged: () => void; onError: (e: CommandError) => void }) {
  const api = useApi();
  const { t } = useI18n();
  const styles = useStyles();
  const list = scan?.exclusions ?? [];
  const [editing, setEditing] = useState<Exclusion | null>(null);
  return (
    <section className={styles.exclusions} aria-labelledby="exclusions-title" data-testid="reclaim-exclusions">
      <Text as="h3" id="exclusions-title" weight="semibold" size={400}>
        {t.reclaim.exclusionsTitle}
      </Text>
      {list.length === 0 ? (
        <Text className={styles.muted}>{t.reclaim.exclusionsNone}</Text>
      ) : (
        list.map((e) => (
          <div key={e.key} className={styles.exclusion} data-testid="reclaim-excluded">
            <Text>
              {e.name} <span className={styles.muted}>({e.key})</span>
              {e.reason ? ` — ${e.reason}` : ""}
            </Text>
            <Button size="small" onClick={() => setEditing(e)} data-testid="reclaim-change-why">
              {t.reclaim.exclusionsChangeWhy(e.name)}
            </Button>
            <Button
              size="small"
              onClick={() => api.unexclude(e.key).then(onChanged, (err: unknown) => onError(toCommandError(err)))}
              data-testid="reclaim-unexclude"
            >
              {t.reclaim.exclusionsAgain(e.name)}
            </Button>
          </div>
        ))
      )}
      {editing ? (
        <ChangeWhy
          exclusion={editing}
          onClose={(changed) => {
            setEditing(null);
            if (changed) onChanged();
          }}
          onError={onError}
        />
      ) : null}
    </section>
  );
}

/// Changes why someone (or a group) is left out; the rest stays as it was.
function ChangeWhy({
  exclusion,
  onClose,
  onError,
}: {
  exclusion: Exclusion;
  onClose: (changed: boolean) => void;
  onError: (e: CommandError) => void;
}) {
  const { t } = useI18n();
  return (
    <WhyDialog
      title={t.reclaim.changeWhyTitle(exclusion.name)}
      initial={exclusion.reason}
      testId="reclaim-change-why"
      saveLabel={t.reclaim.changeWhySave}
      keep={(reason) => ({ ...exclusion, reason })}
      onClose={onClose}
      onError={onError}
    />
  );
}
