import { useCallback, useEffect, useRef, useState } from "react";
import {
  Badge,
  Button,
  Checkbox,
  Dropdown,
  Field as FormField,
  Input,
  MessageBar,
  MessageBarBody,
  Option,
  SpinButton,
  Spinner,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  Title2,
  Title3,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { DocumentArrowUp24Regular } from "@fluentui/react-icons";
import type { CommandError } from "../../bindings/CommandError";
import type { Encoding } from "../../bindings/Encoding";
import type { Field } from "../../bindings/Field";
import type { ImportFile } from "../../bindings/ImportFile";
import type { ImportRows } from "../../bindings/ImportRows";
import type { Mapping } from "../../bindings/Mapping";
import type { PlanPreview } from "../../bindings/PlanPreview";
import type { RowView } from "../../bindings/RowView";
import type { RowsView } from "../../bindings/RowsView";
import type { ShortfallPolicy } from "../../bindings/ShortfallPolicy";
import type { SkuSummary } from "../../bindings/SkuSummary";
import { toCommandError, useApi } from "../../api";
import { useI18n } from "../../i18n";
import { ErrorState } from "../../components/ErrorState";
import { RunSteps } from "../../components/ChangeFlow";
import { LongText } from "../../components/LongText";
import { issueText } from "../../reasons";

const useStyles = makeStyles({
  page: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
    padding: `${tokens.spacingVerticalXL} ${tokens.spacingHorizontalXXL}`,
    maxWidth: "1100px",
  },
  steps: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap", margin: 0, padding: 0, listStyle: "none" },
  stepItem: {
    padding: `${tokens.spacingVerticalXXS} ${tokens.spacingHorizontalS}`,
    borderRadius: tokens.borderRadiusMedium,
    color: tokens.colorNeutralForeground3,
    fontSize: tokens.fontSizeBase200,
  },
  stepCurrent: {
    backgroundColor: tokens.colorBrandBackground2,
    color: tokens.colorBrandForeground1,
    fontWeight: tokens.fontWeightSemibold,
  },
  drop: {
    display: "flex",
    flexDirection: "column",
    alignItems: "center",
    gap: tokens.spacingVerticalM,
    padding: `${tokens.spacingVerticalXXXL} ${tokens.spacingHorizontalXXL}`,
    border: `2px dashed ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusXLarge,
    backgroundColor: tokens.colorNeutralBackground1,
    textAlign: "center",
  },
  dropIcon: { width: "40px", height: "40px", color: tokens.colorBrandForeground1 },
  options: { display: "flex", gap: tokens.spacingHorizontalL, flexWrap: "wrap", alignItems: "flex-end" },
  tableBox: {
    overflowX: "auto",
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  cell: { whiteSpace: "pre-wrap", overflowWrap: "anywhere" },
  buttons: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap", alignItems: "center" },
  issues: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXXS },
  issueError: { color: tokens.colorPaletteRedForeground1 },
  issueWarning: { color: tokens.colorPaletteMarigoldForeground1 },
  muted: { color: tokens.colorNeutralForeground3 },
  editor: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "flex-end", flexWrap: "wrap" },
  rowOut: { opacity: 0.6 },
});

type Step =
  | { step: "choose"; busy: boolean }
  | { step: "read"; file: ImportFile }
  | { step: "map"; file: ImportFile }
  | { step: "fix"; file: ImportFile; rows: ImportRows }
  | { step: "run"; file: ImportFile; preview: PlanPreview };

const PAGE = 50;
/// The "no license, usage locations only" choice for a file without a license column.
const NO_LICENSE = "-";
const FIELDS: Field[] = ["user", "usageLocation", "addLicenses", "removeLicenses", "action", "disabledPlans", "role", "department"];
const ENCODINGS: Encoding[] = ["UTF-8", "UTF-8 with BOM", "UTF-16 LE", "UTF-16 BE", "Windows-1252"];

/// The HR file, step by step: choose it, check how it was read, map its columns, fix its
/// rows, then the same review, run and result as any other change.
export function ImportPage() {
  const api = useApi();
  const { t, locale } = useI18n();
  const styles = useStyles();
  const [state, setState] = useState<Step>({ step: "choose", busy: false });
  const [error, setError] = useState<CommandError>();
  const [policy, setPolicy] = useState<ShortfallPolicy>("nobody");

  const opened = useCallback((file: ImportFile | null) => {
    setState(file ? { step: "read", file } : { step: "choose", busy: false });
  }, []);
  const failed = useCallback((e: unknown) => {
    setError(toCommandError(e));
    setState((s) => (s.step === "choose" ? { step: "choose", busy: false } : s));
  }, []);

  const openOffered = useCallback(() => {
    setError(undefined);
    setState({ step: "choose", busy: true });
    api.importOpenOffered().then(opened, failed);
  }, [api, opened, failed]);

  // A file dropped on the window, or opened with LicenseDesk, is read at once; while a run
  // is under way it waits (the run's screens stay).
  const running = useRef(false);
  running.current = state.step === "run";
  useEffect(() => {
    void api.importOfferedFile().then((name) => name && openOffered());
    return api.onFileOffered(() => {
      if (!running.current) openOffered();
    });
  }, [api, openOffered]);

  const index = { choose: 0, read: 1, map: 2, fix: 3, run: 4 }[state.step];

  return (
    <div data-testid="import-page">
      {state.step !== "run" ? (
        <section className={styles.page} aria-labelledby="import-title">
          <Title2 id="import-title">{t.import.title}</Title2>
          <ol className={styles.steps} aria-label={t.import.title}>
            {t.import.steps.map((name, i) => (
              <li
                key={name}
                className={`${styles.stepItem} ${i === index ? styles.stepCurrent : ""}`}
                aria-current={i === index ? "step" : undefined}
              >
                {`${i + 1}. ${name}`}
              </li>
            ))}
          </ol>
          {error ? <ErrorState title={t.import.title} error={error} /> : null}
          {state.step === "choose" ? (
            <Choose
              busy={state.busy}
              onChoose={() => {
                setError(undefined);
                setState({ step: "choose", busy: true });
                api.importChooseFile(locale).then(opened, failed);
              }}
            />
          ) : state.step === "read" ? (
            <Read
              file={state.file}
              onRead={(file) => setState({ step: "read", file })}
              onError={failed}
              onBack={() => setState({ step: "choose", busy: false })}
              onNext={() => {
                setError(undefined);
                setState({ step: "map", file: state.file });
              }}
            />
          ) : state.step === "map" ? (
            <Map
              file={state.file}
              onBack={() => setState({ step: "read", file: state.file })}
              onChecked={(rows) => {
                setError(undefined);
                setState({ step: "fix", file: state.file, rows });
              }}
              onError={failed}
            />
          ) : (
            <Fix
              rows={state.rows}
              onRows={(rows) => setState({ step: "fix", file: state.file, rows })}
              onError={failed}
              onBack={() => setState({ step: "map", file: state.file })}
              onReview={(preview) => {
                setError(undefined);
                setState({ step: "run", file: state.file, preview });
              }}
              policy={policy}
            />
          )}
        </section>
      ) : (
        <RunSteps
          first={state.preview}
          title={t.import.runTitle}
          policy={policy}
          replan={(p) => {
            setPolicy(p);
            return api.importPlan(p);
          }}
          onBack={() => {
            const file = state.file;
            api.importRows({ problemsOnly: true, offset: 0, limit: PAGE }).then((rows) => setState({ step: "fix", file, rows }), failed);
          }}
          onClose={() => setState({ step: "choose", busy: false })}
          closeLabel={t.import.another}
        />
      )}
    </div>
  );
}

function Choose({ busy, onChoose }: { busy: boolean; onChoose: () => void }) {
  const { t } = useI18n();
  const styles = useStyles();
  return (
    <>
      <Text>{t.import.intro}</Text>
      <div className={styles.drop} data-testid="import-drop">
        <DocumentArrowUp24Regular className={styles.dropIcon} aria-hidden />
        <Text size={500} weight="semibold">{t.import.dropHere}</Text>
        <Text>{t.import.or}</Text>
        <Button appearance="primary" onClick={onChoose} disabled={busy} data-testid="import-choose">
          {busy ? <Spinner size="tiny" label={t.import.opening} /> : t.import.choose}
        </Button>
        <Text className={styles.muted}>{t.import.formats}</Text>
      </div>
    </>
  );
}

function SampleTable({ headers, rows, caption }: { headers: string[]; rows: string[][]; caption: string }) {
  const styles = useStyles();
  return (
    <div className={styles.tableBox}>
      <Table size="small" aria-label={caption} data-testid="import-sample">
        <TableHeader>
          <TableRow>
            {headers.map((h, i) => (
              <TableHeaderCell key={i}>
                <Text weight="semibold">{h}</Text>
              </TableHeaderCell>
            ))}
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((r, i) => (
            <TableRow key={i}>
              {headers.map((_, c) => (
                // Shown as text, never evaluated: a cell starting with = stays "=…".
                <TableCell key={c} className={styles.cell}><LongText text={r[c] ?? ""} /></TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

function Read({
  file,
  onRead,
  onError,
  onBack,
  onNext,
}: {
  file: ImportFile;
  onRead: (file: ImportFile) => void;
  onError: (e: unknown) => void;
  onBack: () => void;
  onNext: () => void;
}) {
  const api = useApi();
  const { t, n } = useI18n();
  const styles = useStyles();
  const [busy, setBusy] = useState(false);
  const [headerRow, setHeaderRow] = useState(file.headerRow);
  useEffect(() => setHeaderRow(file.headerRow), [file.headerRow]);
  const reread = (change: { encoding?: Encoding; delimiter?: string; headerRow?: number; sheet?: string }) => {
    setBusy(true);
    api
      .importReread({
        encoding: change.encoding ?? file.encoding,
        delimiter: change.delimiter ?? file.delimiter,
        headerRow: change.headerRow ?? file.headerRow,
        sheet: change.sheet ?? file.sheet,
      })
      .then(onRead, onError)
      .finally(() => setBusy(false));
  };
  const delimiters: [string, string][] = [
    [",", t.import.comma],
    [";", t.import.semicolon],
    ["\t", t.import.tab],
    ["|", t.import.pipe],
  ];
  const delimiterName = delimiters.find(([d]) => d === file.delimiter)?.[1] ?? "";
  return (
    <>
      <Title3>{t.import.readTitle}</Title3>
      <Text data-testid="import-summary">{t.import.readSummary(file.fileName, file.rows, n(file.rows))}</Text>
      <div className={styles.options}>
        {file.encoding ? (
          <FormField label={t.import.encoding}>
            <Dropdown
              value={file.encoding}
              selectedOptions={[file.encoding]}
              onOptionSelect={(_, d) => d.optionValue && reread({ encoding: d.optionValue as Encoding })}
              disabled={busy}
              data-testid="import-encoding"
            >
              {ENCODINGS.map((e) => (
                <Option key={e} value={e}>{e}</Option>
              ))}
            </Dropdown>
          </FormField>
        ) : null}
        {file.delimiter ? (
          <FormField label={t.import.delimiter}>
            <Dropdown
              value={delimiterName}
              selectedOptions={[file.delimiter]}
              onOptionSelect={(_, d) => d.optionValue && reread({ delimiter: d.optionValue })}
              disabled={busy}
              data-testid="import-delimiter"
            >
              {delimiters.map(([d, name]) => (
                <Option key={name} value={d}>{name}</Option>
              ))}
            </Dropdown>
          </FormField>
        ) : null}
        {file.sheet ? (
          <FormField label={t.import.sheet}>
            <Dropdown
              value={file.sheet}
              selectedOptions={[file.sheet]}
              onOptionSelect={(_, d) => d.optionValue && reread({ sheet: d.optionValue })}
              disabled={busy}
              data-testid="import-sheet"
            >
              {file.sheets.map((s) => (
                <Option key={s} value={s}>{s}</Option>
              ))}
            </Dropdown>
          </FormField>
        ) : null}
        <FormField label={t.import.headerRow}>
          <SpinButton
            value={headerRow}
            min={1}
            max={Math.max(file.headerRow + file.rows, 1)}
            onChange={(_, d) => {
              const next = d.value ?? Number.parseInt(d.displayValue ?? "", 10);
              if (Number.isFinite(next) && next >= 1) setHeaderRow(next);
            }}
            disabled={busy}
            data-testid="import-header-row"
          />
        </FormField>
        {headerRow !== file.headerRow ? (
          <Button onClick={() => reread({ headerRow })} disabled={busy}>{t.import.reread}</Button>
        ) : null}
        {busy ? <Spinner size="tiny" /> : null}
      </div>
      <Text className={styles.muted}>{t.import.readHint}</Text>
      <Text weight="semibold">{t.import.sample}</Text>
      <SampleTable headers={file.headers} rows={file.sample} caption={t.import.sample} />
      <div className={styles.buttons}>
        <Button onClick={onBack}>{t.import.back}</Button>
        <Button appearance="primary" onClick={onNext} disabled={busy} data-testid="import-read-next">
          {t.import.next}
        </Button>
      </div>
    </>
  );
}

function Map({
  file,
  onBack,
  onChecked,
  onError,
}: {
  file: ImportFile;
  onBack: () => void;
  onChecked: (rows: ImportRows) => void;
  onError: (e: unknown) => void;
}) {
  const api = useApi();
  const { t, n } = useI18n();
  const styles = useStyles();
  const [mapping, setMapping] = useState<Mapping>(file.mapping);
  const [license, setLicense] = useState<string | null>(file.license);
  const [plans, setPlans] = useState<SkuSummary[]>([]);
  const [remember, setRemember] = useState(false);
  const [profile, setProfile] = useState(file.profile ?? file.fileName.replace(/\.[^.]+$/, ""));
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api.listPlans().then(setPlans, onError);
  }, [api, onError]);

  const has = (f: Field) => mapping.columns.includes(f);
  const noLicenseColumn = !has("addLicenses");
  // Without a license column the person says what every row gets: a license, or (with a
  // usage location column) none, to set usage locations only.
  const needsChoice = noLicenseColumn && !has("removeLicenses");
  const ready =
    has("user") && (!needsChoice || (license !== null && (license !== NO_LICENSE || has("usageLocation"))));
  const fieldName = (f: Field | null) => (f ? t.import.fields[f] : t.import.notUsed);
  const set = (column: number, field: Field | null) =>
    setMapping((m) => ({
      columns: m.columns.map((c, i) => (i === column ? field : field !== null && c === field ? null : c)),
    }));
  const userPlans = plans.filter((p) => p.appliesTo === "User");

  return (
    <>
      <Title3>{t.import.mapTitle}</Title3>
      <Text>{t.import.mapIntro}</Text>
      {file.profile ? (
        <MessageBar intent="info"><MessageBarBody>{t.import.fromProfile(file.profile)}</MessageBarBody></MessageBar>
      ) : null}
      <div className={styles.tableBox}>
        <Table size="small" aria-label={t.import.mapTitle} data-testid="import-mapping">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>{t.import.column}</TableHeaderCell>
              <TableHeaderCell>{t.import.examples}</TableHeaderCell>
              <TableHeaderCell>{t.import.holds}</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {file.headers.map((header, column) => (
              <TableRow key={column} data-testid="import-map-row">
                <TableCell><Text weight="semibold">{header}</Text></TableCell>
                <TableCell className={styles.cell}>
                  <LongText
                    text={file.sample
                      .map((r) => r[column] ?? "")
                      .filter((v) => v !== "")
                      .slice(0, 3)
                      .join(" · ")}
                  />
                </TableCell>
                <TableCell>
                  <Dropdown
                    aria-label={`${t.import.holds}: ${header}`}
                    value={fieldName(mapping.columns[column] ?? null)}
                    selectedOptions={[mapping.columns[column] ?? "none"]}
                    onOptionSelect={(_, d) => set(column, d.optionValue === "none" ? null : (d.optionValue as Field))}
                    data-testid={`import-map-${column}`}
                  >
                    <Option value="none">{t.import.notUsed}</Option>
                    {FIELDS.map((f) => (
                      <Option key={f} value={f}>{t.import.fields[f]}</Option>
                    ))}
                  </Dropdown>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
      {noLicenseColumn ? (
        <FormField label={t.import.licenseForAll} hint={t.import.licenseForAllHint} required={needsChoice} style={{ maxWidth: 520 }}>
          <Dropdown
            placeholder={t.import.chooseLicense}
            value={license === NO_LICENSE ? t.import.noLicense : (userPlans.find((p) => p.skuPartNumber === license)?.displayName ?? "")}
            selectedOptions={license ? [license] : []}
            onOptionSelect={(_, d) => setLicense(d.optionValue ?? null)}
            data-testid="import-license"
          >
            {has("usageLocation") ? <Option value={NO_LICENSE}>{t.import.noLicense}</Option> : null}
            {userPlans.map((p) => (
              <Option key={p.skuId} value={p.skuPartNumber} text={p.displayName}>
                {`${p.displayName} — ${n(p.free)}`}
              </Option>
            ))}
          </Dropdown>
        </FormField>
      ) : null}
      {!has("user") ? (
        <MessageBar intent="warning"><MessageBarBody>{t.import.needUser}</MessageBarBody></MessageBar>
      ) : null}
      <div className={styles.editor}>
        <Checkbox checked={remember} onChange={(_, d) => setRemember(d.checked === true)} label={t.import.saveProfile} data-testid="import-remember" />
        {remember ? (
          <FormField label={t.import.profileName}>
            <Input value={profile} onChange={(_, d) => setProfile(d.value)} data-testid="import-profile-name" />
          </FormField>
        ) : null}
      </div>
      <div className={styles.buttons}>
        <Button onClick={onBack}>{t.import.back}</Button>
        <Button
          appearance="primary"
          disabled={!ready || busy}
          onClick={() => {
            setBusy(true);
            api
              .importCheck(mapping, noLicenseColumn && license !== NO_LICENSE ? license : null, remember ? profile : null, { problemsOnly: true, offset: 0, limit: PAGE })
              .then(onChecked, onError)
              .finally(() => setBusy(false));
          }}
          data-testid="import-map-next"
        >
          {busy ? <Spinner size="tiny" label={t.import.checking} /> : t.import.next}
        </Button>
      </div>
    </>
  );
}

function Fix({
  rows,
  onRows,
  onError,
  onBack,
  onReview,
  policy,
}: {
  rows: ImportRows;
  onRows: (rows: ImportRows) => void;
  onError: (e: unknown) => void;
  onBack: () => void;
  onReview: (preview: PlanPreview) => void;
  policy: ShortfallPolicy;
}) {
  const api = useApi();
  const { t, n } = useI18n();
  const styles = useStyles();
  // Licenses by their names, not their part numbers.
  const [names, setNames] = useState<Record<string, string>>({});
  useEffect(() => {
    api.listPlans().then(
      (plans) => setNames(Object.fromEntries(plans.map((p) => [p.skuPartNumber, p.displayName]))),
      () => setNames({}),
    );
  }, [api]);
  const [view, setView] = useState<RowsView>({ problemsOnly: true, offset: 0, limit: PAGE });
  const [busy, setBusy] = useState(false);
  const c = rows.counts;
  const run = (p: Promise<ImportRows>) => {
    setBusy(true);
    p.then(onRows, onError).finally(() => setBusy(false));
  };
  const show = (next: RowsView) => {
    setView(next);
    run(api.importRows(next));
  };
  const from = rows.matching === 0 ? 0 : view.offset + 1;
  const to = view.offset + rows.rows.length;

  return (
    <>
      <Title3>{t.import.fixTitle}</Title3>
      <Text weight="semibold" data-testid="import-counts">
        {t.import.counts(n(c.ready), n(c.total), n(c.errors), n(c.excluded))}
      </Text>
      {c.errors > 0 ? (
        <MessageBar intent="warning" layout="multiline" data-testid="import-errors-wait">
          <MessageBarBody>{t.import.errorsWait(n(c.errors))}</MessageBarBody>
        </MessageBar>
      ) : (
        <MessageBar intent="success"><MessageBarBody>{t.import.allReady}</MessageBarBody></MessageBar>
      )}
      <Switch
        checked={view.problemsOnly}
        onChange={(_, d) => show({ ...view, problemsOnly: d.checked, offset: 0 })}
        label={t.import.onlyProblems}
        data-testid="import-only-problems"
      />
      {rows.rows.length === 0 ? (
        <Text data-testid="import-no-rows">{t.import.noRows}</Text>
      ) : (
        <div className={styles.tableBox}>
          <Table size="small" aria-label={t.import.fixTitle} data-testid="import-rows">
            <TableHeader>
              <TableRow>
                <TableHeaderCell style={{ width: 64 }}>{t.import.line}</TableHeaderCell>
                <TableHeaderCell>{t.import.person}</TableHeaderCell>
                <TableHeaderCell style={{ width: 110 }}>{t.import.country}</TableHeaderCell>
                <TableHeaderCell>{t.import.licenses}</TableHeaderCell>
                <TableHeaderCell>{t.import.problem}</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.rows.map((r) => (
                <Row
                  key={r.row}
                  row={r}
                  rows={rows}
                  licenseName={(part) => names[part] ?? part}
                  busy={busy}
                  onFix={(field, value) => run(api.importFix(r.row, field, value, view))}
                  onLeaveOut={(out) => run(api.importLeaveOut(r.row, out, view))}
                />
              ))}
            </TableBody>
          </Table>
        </div>
      )}
      {rows.matching > PAGE ? (
        <div className={styles.buttons}>
          <Button disabled={view.offset === 0 || busy} onClick={() => show({ ...view, offset: Math.max(0, view.offset - PAGE) })}>
            {t.import.previous}
          </Button>
          <Text>{t.import.page(n(from), n(to), n(rows.matching))}</Text>
          <Button disabled={to >= rows.matching || busy} onClick={() => show({ ...view, offset: view.offset + PAGE })}>
            {t.import.next}
          </Button>
        </div>
      ) : null}
      <div className={styles.buttons}>
        <Button onClick={onBack} disabled={busy}>{t.import.back}</Button>
        <Button
          appearance="primary"
          disabled={c.ready === 0 || busy}
          onClick={() => {
            setBusy(true);
            api.importPlan(policy).then(onReview, onError).finally(() => setBusy(false));
          }}
          data-testid="import-review"
        >
          {busy ? <Spinner size="tiny" /> : t.import.review(n(c.ready))}
        </Button>
      </div>
    </>
  );
}

function Row({
  row,
  rows,
  licenseName,
  busy,
  onFix,
  onLeaveOut,
}: {
  row: RowView;
  rows: ImportRows;
  licenseName: (partNumber: string) => string;
  busy: boolean;
  onFix: (field: Field, value: string) => void;
  onLeaveOut: (out: boolean) => void;
}) {
  const { t } = useI18n();
  const styles = useStyles();
  const errors = row.issues.filter((i) => i.severity === "error");
  const fixable = errors.find((i) => i.field !== null)?.field ?? null;
  const [editing, setEditing] = useState(false);
  const column = fixable ? rows.mapping.columns.indexOf(fixable) : -1;
  const [value, setValue] = useState(column >= 0 ? (row.cells[column] ?? "") : "");
  const suggestion = errors.find((i) => i.suggestion)?.suggestion ?? null;
  const change = [
    row.action === "replace" && row.addLicenses.length > 0 ? t.import.replace(row.addLicenses.map(licenseName).join(", ")) : null,
    row.action !== "replace" && row.addLicenses.length > 0 ? t.import.give(row.addLicenses.map(licenseName).join(", ")) : null,
    row.removeLicenses.length > 0 ? t.import.take(row.removeLicenses.map(licenseName).join(", ")) : null,
  ]
    .filter(Boolean)
    .join(" · ");
  const status = row.excluded ? (
    <Badge appearance="tint" color="informative">{t.import.leftOut}</Badge>
  ) : errors.length > 0 ? (
    <Badge appearance="filled" color="danger">{t.import.error}</Badge>
  ) : row.issues.some((i) => i.severity === "warning") ? (
    <Badge appearance="tint" color="warning">{t.import.warning}</Badge>
  ) : (
    <Badge appearance="tint" color="success">{t.import.ready}</Badge>
  );
  return (
    <TableRow className={row.excluded ? styles.rowOut : undefined} data-testid="import-row" data-line={row.row}>
      <TableCell>{row.row}</TableCell>
      <TableCell className={styles.cell}><LongText text={row.userPrincipalName} /></TableCell>
      <TableCell>{row.usageLocation ?? ""}</TableCell>
      <TableCell className={styles.cell}><LongText text={change} /></TableCell>
      <TableCell>
        <div className={styles.issues}>
          <div>{status}</div>
          {row.issues.map((i, k) => (
            <Text
              key={k}
              size={200}
              className={i.severity === "error" ? styles.issueError : i.severity === "warning" ? styles.issueWarning : styles.muted}
              data-testid="import-issue"
            >
              <LongText text={issueText(i.code, t)} max={300} />
            </Text>
          ))}
          {editing && fixable ? (
            <form
              className={styles.editor}
              onSubmit={(e) => {
                e.preventDefault();
                setEditing(false);
                onFix(fixable, value);
              }}
            >
              <FormField label={t.import.fixField(t.import.fields[fixable])}>
                <Input value={value} onChange={(_, d) => setValue(d.value)} autoFocus data-testid="import-fix-value" />
              </FormField>
              <Button type="submit" appearance="primary" disabled={busy} data-testid="import-fix-save">{t.import.save}</Button>
              <Button onClick={() => setEditing(false)}>{t.import.cancel}</Button>
            </form>
          ) : (
            <div className={styles.buttons}>
              {suggestion && fixable ? (
                <Button size="small" appearance="primary" disabled={busy} onClick={() => onFix(fixable, suggestion)} data-testid="import-use-suggestion">
                  {t.import.useSuggestion(suggestion)}
                </Button>
              ) : null}
              {fixable && !row.excluded ? (
                <Button size="small" disabled={busy} onClick={() => setEditing(true)} data-testid="import-fix">{t.import.fix}</Button>
              ) : null}
              <Button size="small" disabled={busy} onClick={() => onLeaveOut(!row.excluded)} data-testid="import-leave-out">
                {row.excluded ? t.import.putBack : t.import.leaveOut}
              </Button>
            </div>
          )}
        </div>
      </TableCell>
    </TableRow>
  );
}
