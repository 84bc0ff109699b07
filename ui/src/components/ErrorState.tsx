import { useState } from "react";
import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { CommandError } from "../bindings/CommandError";
import { useI18n } from "../i18n";
import { errorText } from "../errors";

const useStyles = makeStyles({
  details: {
    marginTop: tokens.spacingVerticalS,
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    whiteSpace: "pre-wrap",
    wordBreak: "break-word",
  },
});

/// An error in plain words with what to do, the technical detail behind "Details", and a retry.
export function ErrorState({
  title,
  error,
  onRetry,
}: {
  title: string;
  error: CommandError;
  onRetry?: () => void;
}) {
  const { t } = useI18n();
  const styles = useStyles();
  const [open, setOpen] = useState(false);
  return (
    <MessageBar intent="error" layout="multiline" data-testid="error-state">
      <MessageBarBody>
        <MessageBarTitle>{title}</MessageBarTitle>
        {errorText(error, t)}
        {open && error.details ? (
          <div className={styles.details} data-testid="error-details">
            {error.details}
            {"\n"}
            {error.code}
          </div>
        ) : null}
      </MessageBarBody>
      <MessageBarActions>
        {error.details ? (
          <Button appearance="transparent" onClick={() => setOpen(!open)} aria-expanded={open}>
            {open ? t.hideDetails : t.showDetails}
          </Button>
        ) : null}
        {onRetry ? <Button onClick={onRetry}>{t.retry}</Button> : null}
      </MessageBarActions>
    </MessageBar>
  );
}
