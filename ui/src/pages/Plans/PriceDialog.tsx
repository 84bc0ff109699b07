import { useState } from "react";
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { CommandError } from "../../bindings/CommandError";
import type { Kept } from "../../bindings/Kept";
import type { SkuSummary } from "../../bindings/SkuSummary";
import { toCommandError, useApi } from "../../api";
import { useI18n } from "../../i18n";
import { ErrorState } from "../../components/ErrorState";
import { parsePrice } from "../../components/money";
import { thresholdText } from "./PlanCard";

const useStyles = makeStyles({
  fields: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  row: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "flex-start", flexWrap: "wrap" },
});

/// A plan's price per seat a month and its free-seat warning level, typed by the person.
export function PriceDialog({ plan, kept, onClose }: { plan: SkuSummary; kept: Kept; onClose: (kept?: Kept) => void }) {
  const api = useApi();
  const { t } = useI18n();
  const styles = useStyles();
  const part = plan.skuPartNumber.toUpperCase();
  const cents = kept.prices.cents[part];
  const [price, setPrice] = useState(cents !== undefined ? (cents / 100).toFixed(2) : "");
  const [currency, setCurrency] = useState(kept.prices.currency ?? "EUR");
  const held = kept.thresholds[part];
  const [threshold, setThreshold] = useState(held ? thresholdText(held) : "");
  const [error, setError] = useState<CommandError>();
  const [busy, setBusy] = useState(false);

  const priceCents = price.trim() === "" ? null : parsePrice(price);
  const priceBad = price.trim() !== "" && priceCents === null;
  const thresholdBad = threshold.trim() !== "" && !/^\s*\d{1,7}\s*%?\s*$/.test(threshold);
  const currencyBad = !/^[A-Z]{3}$/.test(currency);

  const save = () => {
    setBusy(true);
    setError(undefined);
    api
      .setPrice(part, priceCents, currency)
      .then(() => api.setThreshold(part, threshold.trim() === "" ? null : threshold.trim()))
      .then(
        (k) => onClose(k),
        (e: unknown) => {
          setError(toCommandError(e));
          setBusy(false);
        },
      );
  };

  return (
    <Dialog open onOpenChange={(_, d) => !d.open && onClose()}>
      <DialogSurface>
        <DialogBody>
          <DialogTitle>{t.money.editTitle(plan.displayName)}</DialogTitle>
          <DialogContent className={styles.fields}>
            {error ? <ErrorState title={t.money.editTitle(plan.displayName)} error={error} /> : null}
            <div className={styles.row}>
              <Field
                label={t.money.price}
                hint={t.money.priceHint}
                validationMessage={priceBad ? t.money.priceInvalid : undefined}
                validationState={priceBad ? "error" : "none"}
              >
                <Input value={price} onChange={(_, d) => setPrice(d.value)} inputMode="decimal" data-testid="price-input" />
              </Field>
              <Field label={t.money.currency} validationState={currencyBad ? "error" : "none"}>
                <Input
                  value={currency}
                  onChange={(_, d) => setCurrency(d.value.toUpperCase().slice(0, 3))}
                  style={{ width: "6em" }}
                  data-testid="price-currency"
                />
              </Field>
            </div>
            <Field
              label={t.money.threshold}
              hint={t.money.thresholdHint}
              validationMessage={thresholdBad ? t.money.thresholdInvalid : undefined}
              validationState={thresholdBad ? "error" : "none"}
            >
              <Input value={threshold} onChange={(_, d) => setThreshold(d.value)} data-testid="threshold-input" />
            </Field>
          </DialogContent>
          <DialogActions>
            <Button onClick={() => onClose()}>{t.reclaim.cancel}</Button>
            <Button appearance="primary" disabled={busy || priceBad || thresholdBad || currencyBad} onClick={save} data-testid="price-save">
              {t.money.save}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
