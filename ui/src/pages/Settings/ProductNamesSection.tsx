import { useCallback, useEffect, useState } from "react";
import { Button, Checkbox, Spinner, Text, Title3 } from "@fluentui/react-components";
import { ArrowDownload20Regular } from "@fluentui/react-icons";
import type { CommandError } from "../../bindings/CommandError";
import type { ProductNamesInfo } from "../../bindings/ProductNamesInfo";
import { toCommandError, useApi } from "../../api";
import { useI18n, when } from "../../i18n";
import { ErrorState } from "../../components/ErrorState";

/// Friendly product names: the built-in list or Microsoft's, refreshed when the person asks
/// (now, or at each start) unless the organisation's policy decides.
export function ProductNamesSection({ className }: { className: string }) {
  const api = useApi();
  const { t, n, locale } = useI18n();
  const s = t.settings;
  const [info, setInfo] = useState<ProductNamesInfo>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<CommandError>();
  useEffect(() => {
    api.productNames().then(setInfo, (e: unknown) => setError(toCommandError(e)));
  }, [api]);
  const refresh = useCallback(() => {
    setBusy(true);
    setError(undefined);
    api.refreshProductNames().then(
      (next) => {
        setInfo(next);
        setBusy(false);
      },
      (e: unknown) => {
        setError(toCommandError(e));
        setBusy(false);
      },
    );
  }, [api]);
  if (!info) return null;
  return (
    <div className={className} aria-labelledby="names-title" data-testid="product-names">
      <Title3 as="h2" id="names-title">{s.namesTitle}</Title3>
      <Text data-testid="product-names-state">
        {info.refreshedAt ? s.namesRefreshed(info.products, n(info.products), when(info.refreshedAt, locale)) : s.namesBuiltIn(info.products, n(info.products))}
      </Text>
      {info.policy === false ? <Text>{s.namesPolicyOff}</Text> : null}
      {info.policy === true ? <Text>{s.namesPolicyOn}</Text> : null}
      {error ? <ErrorState title={s.namesFailed} error={error} /> : null}
      {info.policy === false ? null : (
        <div>
          {busy ? (
            <Spinner size="tiny" label={s.namesRefreshing} labelPosition="after" />
          ) : (
            <Button icon={<ArrowDownload20Regular />} onClick={refresh} data-testid="product-names-refresh">
              {s.namesRefresh}
            </Button>
          )}
        </div>
      )}
      {info.policy === null ? (
        <Checkbox
          checked={info.atStart}
          onChange={(_, d) => void api.setProductNamesAtStart(d.checked === true).then(setInfo, (e: unknown) => setError(toCommandError(e)))}
          label={s.namesAtStart}
        />
      ) : null}
    </div>
  );
}
