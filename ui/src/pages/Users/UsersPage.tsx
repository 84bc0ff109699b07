import { useCallback, useEffect, useRef, useState } from "react";
import {
  Badge,
  Button,
  Checkbox,
  Dropdown,
  Option,
  SearchBox,
  Spinner,
  Text,
  Title2,
  ToggleButton,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { People24Regular } from "@fluentui/react-icons";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { CommandError } from "../../bindings/CommandError";
import type { UserRow } from "../../bindings/UserRow";
import type { UsersPage as Page } from "../../bindings/UsersPage";
import type { UsersQuery } from "../../bindings/UsersQuery";
import { toCommandError, useApi } from "../../api";
import { useI18n } from "../../i18n";
import { ChangeFlow, type ChangeKind } from "../../components/ChangeFlow";
import type { PlanToAdd } from "../../bindings/PlanToAdd";
import { useCountryNames } from "../../components/CountryPicker";
import { ErrorState } from "../../components/ErrorState";
import { PersonPanel } from "./PersonPanel";

/// Rows fetched at a time; the webview holds only the blocks it has shown.
const BLOCK = 100;
const ROW_HEIGHT = 48;

const useStyles = makeStyles({
  frame: { display: "flex", height: "100%", minHeight: 0 },
  page: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalM,
    padding: `${tokens.spacingVerticalXL} ${tokens.spacingHorizontalXXL}`,
    flex: 1,
    minWidth: 0,
    minHeight: 0,
    boxSizing: "border-box",
  },
  header: { display: "flex", justifyContent: "space-between", alignItems: "flex-end", gap: tokens.spacingHorizontalM, flexWrap: "wrap" },
  titles: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
  subtitle: { color: tokens.colorNeutralForeground3 },
  filters: { display: "flex", gap: tokens.spacingHorizontalS, flexWrap: "wrap", alignItems: "center" },
  dropdown: { minWidth: "170px" },
  grid: {
    flex: 1,
    minHeight: "200px",
    overflow: "auto",
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  row: {
    display: "grid",
    gridTemplateColumns: "40px minmax(140px, 1.2fr) minmax(180px, 1.5fr) minmax(100px, 0.8fr) 110px minmax(180px, 2fr) 90px",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    padding: `0 ${tokens.spacingHorizontalS}`,
    borderBottom: `1px solid ${tokens.colorNeutralStroke3}`,
    boxSizing: "border-box",
    cursor: "pointer",
    ":hover": { backgroundColor: tokens.colorNeutralBackground1Hover },
    ":focus-visible": { outline: `2px solid ${tokens.colorStrokeFocus2}`, outlineOffset: "-2px" },
  },
  headRow: {
    position: "sticky",
    top: 0,
    zIndex: 1,
    backgroundColor: tokens.colorNeutralBackground3,
    fontWeight: tokens.fontWeightSemibold,
    cursor: "default",
    height: `${ROW_HEIGHT}px`,
  },
  selectedRow: { backgroundColor: tokens.colorBrandBackground2 },
  openRow: { boxShadow: `inset 4px 0 0 ${tokens.colorBrandStroke1}` },
  cell: { overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap", minWidth: 0 },
  dim: { color: tokens.colorNeutralForeground3 },
  licenses: { display: "flex", gap: tokens.spacingHorizontalXS, overflow: "hidden", flexWrap: "nowrap", minWidth: 0 },
  badge: { flexShrink: 0, whiteSpace: "nowrap" },
  bar: {
    display: "flex",
    alignItems: "center",
    gap: tokens.spacingHorizontalS,
    flexWrap: "wrap",
    padding: tokens.spacingVerticalS,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorBrandBackground2,
  },
  centered: { display: "flex", flexDirection: "column", alignItems: "center", gap: tokens.spacingVerticalS, padding: tokens.spacingVerticalXXL, color: tokens.colorNeutralForeground2 },
});

type Flow = { ids: string[]; kind: ChangeKind; presetSku?: string; apps?: PlanToAdd[]; groupId?: string; personName?: string; fromPanel: boolean };

/// Everyone in the tenant, found by search and filters, chosen one by one or all matching,
/// given, stripped or swapped licenses through the review-first change flow.
export function UsersPage({ tenantName }: { tenantName: string | undefined }) {
  const api = useApi();
  const { t, n } = useI18n();
  const styles = useStyles();
  const { name: countryName } = useCountryNames();
  const [query, setQuery] = useState<UsersQuery>({
    search: "",
    unlicensed: false,
    noUsageLocation: false,
    licenseErrors: false,
    department: null,
    usageLocation: null,
    skuId: null,
  });
  const [search, setSearch] = useState("");
  const [summary, setSummary] = useState<Page>();
  const [blocks, setBlocks] = useState<Map<number, UserRow[]>>(new Map());
  const [error, setError] = useState<CommandError>();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [anchor, setAnchor] = useState<number>();
  const [open, setOpen] = useState<string>();
  const [flow, setFlow] = useState<Flow>();
  const [generation, setGeneration] = useState(0);
  /// What the last change from the panel did, and to whom: shown only on that person's panel.
  const [notice, setNotice] = useState<{ id: string; text: string }>();
  const requested = useRef<Set<number>>(new Set());
  const scroller = useRef<HTMLDivElement>(null);

  // The search is applied a moment after typing stops.
  useEffect(() => {
    const timer = setTimeout(() => setQuery((q) => (q.search === search ? q : { ...q, search })), 200);
    return () => clearTimeout(timer);
  }, [search]);

  const fetchBlock = useCallback(
    (block: number, q: UsersQuery) =>
      api.usersPage(q, block * BLOCK, BLOCK).then((page) => {
        setSummary(page);
        setBlocks((b) => new Map(b).set(block, page.rows));
        return page;
      }),
    [api],
  );

  // A new query (or a change applied) starts the list again from the top.
  useEffect(() => {
    requested.current = new Set([0]);
    setBlocks(new Map());
    setError(undefined);
    fetchBlock(0, query).catch((e: unknown) => setError(toCommandError(e)));
  }, [fetchBlock, query, generation]);

  // While the directory is still being read, the counts and first rows follow it.
  useEffect(() => {
    if (!summary?.loading) return;
    const timer = setTimeout(() => {
      requested.current = new Set([0]);
      setBlocks(new Map());
      fetchBlock(0, query).catch((e: unknown) => setError(toCommandError(e)));
    }, 700);
    return () => clearTimeout(timer);
  }, [summary, fetchBlock, query]);

  const count = summary?.matching ?? 0;
  const virtual = useVirtualizer({ count, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12, initialRect: { width: 1200, height: 600 } });
  const items = virtual.getVirtualItems();

  // Rows come a block at a time as they scroll into view.
  useEffect(() => {
    for (const item of items) {
      const block = Math.floor(item.index / BLOCK);
      if (!requested.current.has(block)) {
        requested.current.add(block);
        fetchBlock(block, query).catch((e: unknown) => setError(toCommandError(e)));
      }
    }
  }, [items, fetchBlock, query]);

  const rowAt = useCallback((index: number) => blocks.get(Math.floor(index / BLOCK))?.[index % BLOCK], [blocks]);

  const toggle = useCallback(
    (index: number, row: UserRow, range: boolean) => {
      setSelected((current) => {
        const next = new Set(current);
        if (range && anchor !== undefined) {
          const [from, to] = anchor < index ? [anchor, index] : [index, anchor];
          for (let i = from; i <= to; i++) {
            const r = rowAt(i);
            if (r) next.add(r.id);
          }
        } else if (next.has(row.id)) next.delete(row.id);
        else next.add(row.id);
        return next;
      });
      setAnchor(index);
    },
    [anchor, rowAt],
  );

  const setFilter = (patch: Partial<UsersQuery>) => setQuery((q) => ({ ...q, ...patch }));
  const counts = summary?.counts;
  const filtered = query.unlicensed || query.noUsageLocation || query.licenseErrors || query.department || query.usageLocation || query.skuId;

  const start = (kind: ChangeKind, ids: string[], presetSku?: string, fromPanel = false, apps?: PlanToAdd[], personName?: string, groupId?: string) => {
    setNotice(undefined);
    setFlow({ ids, kind, presetSku, apps, personName, fromPanel, groupId });
  };

  if (flow) {
    return (
      <ChangeFlow
        ids={flow.ids}
        kind={flow.kind}
        presetSku={flow.presetSku}
        apps={flow.apps}
        groupId={flow.groupId}
        personName={flow.personName}
        onClose={(changed) => {
          setFlow(undefined);
          if (changed) {
            setGeneration((g) => g + 1);
            const done = { give: t.users.give, take: t.users.takeAway, swap: t.users.swap, location: t.users.setLocation, apps: t.change.appsTitle, leaveGroup: t.person.removeFromGroup.replace("…", ""), role: t.roles.giveTitle }[flow.kind];
            if (flow.fromPanel && flow.ids[0]) setNotice({ id: flow.ids[0], text: done });
            else setSelected(new Set());
          }
        }}
      />
    );
  }

  return (
    <div className={styles.frame}>
      <section className={styles.page} aria-labelledby="users-title" data-testid="users-page">
        <div className={styles.header}>
          <div className={styles.titles}>
            <Title2 id="users-title">{t.users.title}</Title2>
            <Text className={styles.subtitle} data-testid="users-subtitle">
              {summary?.loading ? t.users.loadingMore(n(summary.total)) : t.users.subtitle(n(summary?.total ?? 0), tenantName ?? "")}
            </Text>
          </div>
          <SearchBox
            value={search}
            onChange={(_, d) => setSearch(d.value)}
            placeholder={t.users.search}
            aria-label={t.users.search}
            style={{ minWidth: "320px" }}
            data-testid="users-search"
          />
        </div>
        <div className={styles.filters} role="group" aria-label={t.users.title}>
          <ToggleButton checked={query.unlicensed} onClick={() => setFilter({ unlicensed: !query.unlicensed })} data-testid="chip-unlicensed">
            {t.users.chipUnlicensed(n(counts?.unlicensed ?? 0))}
          </ToggleButton>
          <ToggleButton checked={query.noUsageLocation} onClick={() => setFilter({ noUsageLocation: !query.noUsageLocation })} data-testid="chip-no-location">
            {t.users.chipNoLocation(n(counts?.noUsageLocation ?? 0))}
          </ToggleButton>
          <ToggleButton checked={query.licenseErrors} onClick={() => setFilter({ licenseErrors: !query.licenseErrors })} data-testid="chip-errors">
            {t.users.chipErrors(n(counts?.licenseErrors ?? 0))}
          </ToggleButton>
          <Dropdown
            className={styles.dropdown}
            aria-label={t.users.department}
            placeholder={t.users.department}
            value={query.department ?? ""}
            selectedOptions={query.department ? [query.department] : []}
            onOptionSelect={(_, d) => setFilter({ department: d.optionValue || null })}
            data-testid="filter-department"
          >
            <Option value="" text={t.users.any}>{t.users.any}</Option>
            {(counts?.departments ?? []).map((c) => (
              <Option key={c.key} value={c.key} text={c.label}>{`${c.label} (${n(c.count)})`}</Option>
            ))}
          </Dropdown>
          <Dropdown
            className={styles.dropdown}
            aria-label={t.users.country}
            placeholder={t.users.country}
            value={query.usageLocation ? countryName(query.usageLocation) : ""}
            selectedOptions={query.usageLocation ? [query.usageLocation] : []}
            onOptionSelect={(_, d) => setFilter({ usageLocation: d.optionValue || null })}
            data-testid="filter-country"
          >
            <Option value="" text={t.users.any}>{t.users.any}</Option>
            {(counts?.usageLocations ?? []).map((c) => (
              <Option key={c.key} value={c.key} text={countryName(c.key)}>{`${countryName(c.key)} (${n(c.count)})`}</Option>
            ))}
          </Dropdown>
          <Dropdown
            className={styles.dropdown}
            aria-label={t.users.plan}
            placeholder={t.users.plan}
            value={counts?.plans.find((p) => p.key === query.skuId)?.label ?? ""}
            selectedOptions={query.skuId ? [query.skuId] : []}
            onOptionSelect={(_, d) => setFilter({ skuId: d.optionValue || null })}
            data-testid="filter-plan"
          >
            <Option value="" text={t.users.any}>{t.users.any}</Option>
            {(counts?.plans ?? []).map((c) => (
              <Option key={c.key} value={c.key} text={c.label}>{`${c.label} (${n(c.count)})`}</Option>
            ))}
          </Dropdown>
          {filtered ? (
            <Button appearance="transparent" onClick={() => setFilter({ unlicensed: false, noUsageLocation: false, licenseErrors: false, department: null, usageLocation: null, skuId: null })}>
              {t.users.clearFilters}
            </Button>
          ) : null}
          <Text className={styles.dim} data-testid="users-matching">{t.users.matching(n(count))}</Text>
        </div>

        {selected.size > 0 ? (
          <div className={styles.bar} role="toolbar" aria-label={t.users.selected(n(selected.size))} data-testid="selection-bar">
            <Text weight="semibold" data-testid="selection-count">{t.users.selected(n(selected.size))}</Text>
            <Button appearance="primary" onClick={() => start("give", [...selected])} data-testid="bulk-give">{t.users.give}</Button>
            <Button onClick={() => start("take", [...selected])} data-testid="bulk-take">{t.users.takeAway}</Button>
            <Button onClick={() => start("swap", [...selected])} data-testid="bulk-swap">{t.users.swap}</Button>
            <Button onClick={() => start("location", [...selected])} data-testid="bulk-location">{t.users.setLocation}</Button>
            <Button onClick={() => start("role", [...selected])} data-testid="bulk-role">{t.person.giveRole}</Button>
            <Button appearance="transparent" onClick={() => setSelected(new Set())}>{t.users.clearSelection}</Button>
          </div>
        ) : null}

        {error ? <ErrorState title={t.users.errorTitle} error={error} onRetry={() => setGeneration((g) => g + 1)} /> : null}
        {!summary && !error ? <Spinner label={t.users.loading} /> : null}
        {summary && count === 0 && !summary.loading ? (
          <div className={styles.centered} data-testid="users-empty">
            <People24Regular aria-hidden />
            <Text weight="semibold">{t.users.emptyTitle}</Text>
            <Text>{t.users.emptyBody}</Text>
          </div>
        ) : null}
        {summary && count > 0 ? (
          <div ref={scroller} className={styles.grid} role="grid" aria-rowcount={count + 1} aria-label={t.users.title} data-testid="users-grid">
            <div className={`${styles.row} ${styles.headRow}`} role="row">
              <span role="columnheader">
                <Checkbox
                  aria-label={t.users.selectAllMatching(n(count))}
                  title={t.users.selectAllMatching(n(count))}
                  checked={selected.size > 0 && selected.size >= count ? true : selected.size > 0 ? "mixed" : false}
                  onChange={(_, d) => {
                    if (d.checked === true) {
                      api.matchingIds(query).then((ids) => setSelected(new Set(ids)), (e: unknown) => setError(toCommandError(e)));
                    } else setSelected(new Set());
                  }}
                  data-testid="select-all"
                />
              </span>
              <span role="columnheader" className={styles.cell}>{t.users.colName}</span>
              <span role="columnheader" className={styles.cell}>{t.users.colUpn}</span>
              <span role="columnheader" className={styles.cell}>{t.users.colDepartment}</span>
              <span role="columnheader" className={styles.cell}>{t.users.colLocation}</span>
              <span role="columnheader" className={styles.cell}>{t.users.colLicenses}</span>
              <span role="columnheader" className={styles.cell}>{t.users.colSignIn}</span>
            </div>
            <div style={{ height: virtual.getTotalSize(), position: "relative" }}>
              {items.map((item) => {
                const row = rowAt(item.index);
                const style = { position: "absolute" as const, top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` };
                if (!row) return <div key={item.key} style={style} className={styles.row} role="row" aria-busy />;
                const isSelected = selected.has(row.id);
                return (
                  <div
                    key={row.id}
                    style={style}
                    className={`${styles.row} ${isSelected ? styles.selectedRow : ""} ${open === row.id ? styles.openRow : ""}`}
                    role="row"
                    aria-rowindex={item.index + 2}
                    aria-selected={isSelected}
                    tabIndex={0}
                    data-testid="user-row"
                    data-upn={row.userPrincipalName}
                    data-row-id={row.id}
                    onClick={(e) => {
                      if (e.shiftKey || e.ctrlKey || e.metaKey) toggle(item.index, row, e.shiftKey);
                      else setOpen(row.id);
                    }}
                    onKeyDown={(e) => {
                      if (e.key === "Enter") setOpen(row.id);
                      else if (e.key === " ") {
                        e.preventDefault();
                        toggle(item.index, row, e.shiftKey);
                      } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
                        e.preventDefault();
                        const sibling = e.key === "ArrowDown" ? e.currentTarget.nextElementSibling : e.currentTarget.previousElementSibling;
                        (sibling as HTMLElement | null)?.focus();
                      }
                    }}
                  >
                    <span role="gridcell" onClick={(e) => e.stopPropagation()}>
                      <Checkbox checked={isSelected} aria-label={t.users.selectRow(row.displayName)} onChange={(e) => toggle(item.index, row, (e.nativeEvent as MouseEvent).shiftKey === true)} />
                    </span>
                    <span role="gridcell" className={styles.cell} title={row.displayName}>{row.displayName}</span>
                    <span role="gridcell" className={`${styles.cell} ${styles.dim}`} title={row.userPrincipalName}>{row.userPrincipalName}</span>
                    <span role="gridcell" className={styles.cell}>{row.department ?? "—"}</span>
                    <span role="gridcell" className={styles.cell} title={row.usageLocation ? countryName(row.usageLocation) : undefined}>{row.usageLocation ?? "—"}</span>
                    <span role="gridcell" className={styles.licenses} title={row.licenses.map((l) => l.name + (l.groupId ? ` (${t.users.fromGroup})` : "")).join(", ")}>
                      {row.licenses.length === 0 ? <Text className={styles.dim}>{t.users.unlicensed}</Text> : null}
                      {row.licenses.map((l, i) => (
                        <Badge key={`${l.skuId}-${i}`} className={styles.badge} appearance={l.groupId ? "outline" : "tint"} color={l.error ? "danger" : "brand"} size="small">
                          {l.name}
                          {l.groupId ? ` · ${t.users.fromGroup}` : ""}
                          {l.error ? ` · ${t.users.licenseError}` : ""}
                        </Badge>
                      ))}
                    </span>
                    <span role="gridcell" className={styles.cell}>{row.accountEnabled ? t.users.signInEnabled : t.users.signInBlocked}</span>
                  </div>
                );
              })}
            </div>
          </div>
        ) : null}
      </section>
      {open ? (
        <PersonPanel
          id={open}
          generation={generation}
          notice={notice?.id === open ? notice.text : undefined}
          onClose={() => {
            const closed = open;
            setOpen(undefined);
            setNotice(undefined);
            // Back to the person's row, where the keyboard was before the panel opened.
            requestAnimationFrame(() => {
              document.querySelector<HTMLElement>(`[data-row-id="${CSS.escape(closed)}"]`)?.focus();
            });
          }}
          onChange={(kind, skuId, apps, name, groupId) => start(kind, [open], skuId, true, apps, name, groupId)}
        />
      ) : null}
    </div>
  );
}
