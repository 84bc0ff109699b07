import type { ReactNode } from "react";
import {
  Badge,
  Button,
  Text,
  Tooltip,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { Beaker16Regular, Certificate24Regular, DocumentArrowUp24Regular, History24Regular, People24Regular, PeopleTeam24Regular, PersonKey24Regular, Savings24Regular, Settings24Regular } from "@fluentui/react-icons";
import type { TenantInfo } from "../bindings/TenantInfo";
import type { TenantSetup } from "../bindings/TenantSetup";
import { useI18n } from "../i18n";
import { PermissionsButton, TenantMenu } from "./AccountControls";

export type Page = "plans" | "users" | "groups" | "import" | "reclaim" | "history" | "settings" | "tenant";

const useStyles = makeStyles({
  root: {
    display: "grid",
    gridTemplateRows: "auto 1fr",
    gridTemplateColumns: "auto 1fr",
    height: "100vh",
    overflow: "hidden",
    backgroundColor: tokens.colorNeutralBackground2,
    color: tokens.colorNeutralForeground1,
  },
  header: {
    gridColumn: "1 / span 2",
    display: "flex",
    alignItems: "center",
    justifyContent: "space-between",
    gap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
  },
  brand: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS },
  logo: { width: "24px", height: "24px" },
  appName: { fontWeight: tokens.fontWeightSemibold, fontSize: tokens.fontSizeBase400 },
  tenant: { display: "flex", alignItems: "center", gap: tokens.spacingHorizontalS },
  // The header is the brand colour: the focus ring must stand out against it.
  badge: {
    ":focus-visible": {
      outline: `2px solid ${tokens.colorNeutralForegroundOnBrand}`,
      outlineOffset: "2px",
    },
  },
  rail: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
    padding: tokens.spacingVerticalS,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRight: `1px solid ${tokens.colorNeutralStroke2}`,
    // One width on every page (the active item's bold label must not widen it), wide enough
    // for the longest label in either language ("Abonnementen", "Geschiedenis").
    width: "112px",
    boxSizing: "border-box",
    overflowY: "auto",
  },
  railItem: {
    display: "flex",
    flexDirection: "column",
    alignItems: "center",
    gap: tokens.spacingVerticalXXS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalS}`,
    borderRadius: tokens.borderRadiusMedium,
    color: tokens.colorNeutralForeground2,
    textDecoration: "none",
    fontSize: tokens.fontSizeBase200,
    textAlign: "center",
    ":focus-visible": { outline: `2px solid ${tokens.colorStrokeFocus2}` },
  },
  railItemActive: {
    backgroundColor: tokens.colorBrandBackground2,
    color: tokens.colorBrandForeground1,
    fontWeight: tokens.fontWeightSemibold,
  },
  content: { overflowY: "auto", minWidth: 0 },
});

/// The frame around every screen: who and where you are at the top, the screens on the left.
export function AppShell({
  tenant,
  tenantError,
  signInOnly = false,
  page,
  onNavigate,
  onSignOut,
  onSwitch,
  banner,
  children,
}: {
  tenant: TenantInfo | undefined;
  tenantError: string | undefined;
  /// No tenant yet and no demo: only Sign in and Settings are offered.
  signInOnly?: boolean;
  page: Page;
  onNavigate: (page: Page) => void;
  onSignOut: () => void;
  onSwitch: (setup: TenantSetup) => void;
  /// A message about the last header action (a failed switch or sign-out), above the page.
  banner?: ReactNode;
  children: ReactNode;
}) {
  const { t } = useI18n();
  const styles = useStyles();
  const railItem = (target: Page, icon: ReactNode, label: string) => (
    <a
      href={`#${target}`}
      className={`${styles.railItem} ${page === target ? styles.railItemActive : ""}`}
      aria-current={page === target ? "page" : undefined}
      onClick={(e) => {
        e.preventDefault();
        onNavigate(target);
      }}
      data-testid={`nav-${target}`}
    >
      {icon}
      {label}
    </a>
  );

  return (
    <div className={styles.root}>
      <header className={styles.header}>
        <div className={styles.brand}>
          <img className={styles.logo} src="/icon.png" alt="" />
          <span className={styles.appName}>{t.appName}</span>
        </div>
        <div className={styles.tenant} data-testid="tenant">
          {tenant ? (
            <>
              {tenant.demo ? (
                <Tooltip content={t.demoBadgeHint} relationship="description">
                  <Badge appearance="filled" color="warning" icon={<Beaker16Regular />} data-testid="demo-badge" tabIndex={0} className={styles.badge}>
                    {t.demoBadge}
                  </Badge>
                </Tooltip>
              ) : (
                <>
                  <Text data-testid="signed-in-as">{t.signedInAs(tenant.userPrincipalName ?? "")}</Text>
                  <PermissionsButton tenant={tenant} />
                </>
              )}
              <TenantMenu
                tenant={tenant}
                onSwitch={onSwitch}
                onAddTenant={() => onNavigate("tenant")}
                onSignOut={onSignOut}
              />
              {tenant.demo ? (
                <Button size="small" onClick={() => onNavigate("tenant")} data-testid="header-sign-in">
                  {t.signInButton}
                </Button>
              ) : null}
            </>
          ) : (
            <Text>{signInOnly ? t.policy.notSignedIn : (tenantError ?? t.tenantLoading)}</Text>
          )}
        </div>
      </header>
      <nav className={styles.rail} aria-label={t.navLabel}>
        {signInOnly ? null : (
          <>
            {railItem("plans", <Certificate24Regular aria-hidden />, t.navPlans)}
            {railItem("users", <People24Regular aria-hidden />, t.navUsers)}
            {railItem("groups", <PeopleTeam24Regular aria-hidden />, t.navGroups)}
            {railItem("import", <DocumentArrowUp24Regular aria-hidden />, t.navImport)}
            {railItem("reclaim", <Savings24Regular aria-hidden />, t.navReclaim)}
            {railItem("history", <History24Regular aria-hidden />, t.navHistory)}
          </>
        )}
        {railItem("settings", <Settings24Regular aria-hidden />, t.navSettings)}
        {railItem("tenant", <PersonKey24Regular aria-hidden />, t.navTenant)}
      </nav>
      <div className={styles.content}>
        {banner}
        {tenant?.notice ? (
          <Text role="status" data-testid="keychain-notice" style={{ display: "block", padding: "8px 32px" }}>
            {tenant.notice}
          </Text>
        ) : null}
        {children}
      </div>
    </div>
  );
}
