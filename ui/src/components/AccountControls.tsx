import { useState } from "react";
import {
  Button,
  Menu,
  MenuDivider,
  MenuGroup,
  MenuGroupHeader,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  Popover,
  PopoverSurface,
  PopoverTrigger,
  Text,
  makeStyles,
  mergeClasses,
  tokens,
} from "@fluentui/react-components";
import {
  ArrowSwap20Regular,
  Checkmark16Regular,
  ChevronDown16Regular,
  Copy20Regular,
  PersonAdd20Regular,
  ShieldKeyhole16Regular,
  SignOut20Regular,
} from "@fluentui/react-icons";
import type { SavedTenant } from "../bindings/SavedTenant";
import type { TenantInfo } from "../bindings/TenantInfo";
import type { TenantSetup } from "../bindings/TenantSetup";
import { useApi } from "../api";
import { useI18n } from "../i18n";
import { useCopy } from "../clipboard";

const useStyles = makeStyles({
  surface: { maxWidth: "380px", display: "flex", flexDirection: "column", gap: tokens.spacingVerticalS },
  list: { margin: 0, padding: 0, listStyle: "none", display: "flex", flexDirection: "column", gap: tokens.spacingVerticalXS },
  item: { display: "flex", gap: tokens.spacingHorizontalS, alignItems: "flex-start" },
  itemText: { display: "flex", flexDirection: "column" },
  check: { marginTop: "3px", flexShrink: 0, color: tokens.colorPaletteGreenForeground1 },
  scope: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, color: tokens.colorNeutralForeground3 },
  menuList: { maxWidth: "380px" },
  tenantItem: { display: "flex", flexDirection: "column", minWidth: 0 },
  // One line each; a name too long for the menu ends in "…" and shows whole on hover.
  oneLine: { overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" },
  tenantWho: { fontSize: tokens.fontSizeBase200, color: tokens.colorNeutralForeground3 },
  tenantId: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200, color: tokens.colorNeutralForeground3, whiteSpace: "nowrap" },
  hint: { color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase200 },
});

/// Graph permission names as they appear in scopes; offline_access is how a sign-in is kept,
/// not something the person grants LicenseDesk to do, so it is not listed.
export function grantedPermissions(scopes: string[]): string[] {
  return scopes.filter((s) => s !== "offline_access" && s !== "openid" && s !== "profile" && s !== "email");
}

/// The permissions a sign-in holds, in plain words, one click from the header.
export function PermissionsButton({ tenant }: { tenant: TenantInfo }) {
  const { t } = useI18n();
  const styles = useStyles();
  const granted = grantedPermissions(tenant.scopes);
  return (
    <Popover withArrow trapFocus>
      <PopoverTrigger disableButtonEnhancement>
        <Button size="small" icon={<ShieldKeyhole16Regular />} data-testid="permissions-button">
          {t.permissionsCount(granted.length)}
        </Button>
      </PopoverTrigger>
      <PopoverSurface aria-label={t.permissionsTitle}>
        <div className={styles.surface} data-testid="permissions">
          <Text weight="semibold">{t.permissionsTitle}</Text>
          <ul className={styles.list}>
            {granted.map((scope) => (
              <li key={scope} className={styles.item}>
                <Checkmark16Regular aria-hidden className={styles.check} />
                <span className={styles.itemText}>
                  <Text>{t.permissionNames[scope] ?? scope}</Text>
                  <span className={styles.scope}>{scope}</span>
                </span>
              </li>
            ))}
          </ul>
          {granted.includes("User.ReadWrite.All") ? null : (
            <Text className={styles.hint}>{t.usageLocationsNotGranted}</Text>
          )}
          <Text className={styles.hint}>{t.roleHint}</Text>
        </div>
      </PopoverSurface>
    </Popover>
  );
}

/// A saved tenant's name for people: its domain, or (for "organizations" or a GUID) the domain
/// of the account that signed in.
export function savedTenantName(s: SavedTenant): string {
  if (s.setup.tenant.includes(".")) return s.setup.tenant;
  const domain = s.userPrincipalName?.split("@")[1];
  return domain ?? s.setup.tenant;
}

const sameSetup = (a: TenantSetup, b: TenantSetup | undefined) =>
  b !== undefined && a.tenant === b.tenant && a.clientId === b.clientId && a.cloud === b.cloud;

/// The tenant switcher: saved tenants, another sign-in, and sign out, from the header.
export function TenantMenu({
  tenant,
  onSwitch,
  onAddTenant,
  onSignOut,
}: {
  tenant: TenantInfo;
  onSwitch: (setup: TenantSetup) => void;
  onAddTenant: () => void;
  onSignOut: () => void;
}) {
  const api = useApi();
  const { t } = useI18n();
  const styles = useStyles();
  const [saved, setSaved] = useState<SavedTenant[]>([]);
  const idCopy = useCopy();
  const current = saved.find((s) => s.tenantId === tenant.tenantId && !tenant.demo)?.setup;
  return (
    <Menu
      positioning="below-end"
      onOpenChange={(_, data) => {
        // Read fresh each time: a sign-in on the Tenant page may have added one.
        if (data.open) {
          idCopy.reset();
          api.savedTenants().then(setSaved, () => setSaved([]));
        }
      }}
    >
      <MenuTrigger disableButtonEnhancement>
        <Button size="small" icon={<ChevronDown16Regular />} iconPosition="after" data-testid="tenant-menu">
          {t.tenantLabel(tenant.displayName, tenant.domain)}
        </Button>
      </MenuTrigger>
      <MenuPopover>
        <MenuList className={styles.menuList}>
          {tenant.demo ? null : (
            <MenuItem
              icon={<Copy20Regular />}
              // Admins are asked for the tenant ID by support and other tools: one click copies it.
              persistOnClick // the menu stays open so "copied" can be read
              onClick={() => idCopy.copy(tenant.tenantId)}
              data-testid="copy-tenant-id"
            >
              <span className={styles.tenantItem}>
                <span aria-live="polite">
                  {idCopy.state === "copied" ? t.tenantIdCopied : idCopy.state === "failed" ? t.copyFailed : t.copyTenantId}
                </span>
                <span className={styles.tenantId} data-testid="tenant-id">{tenant.tenantId}</span>
              </span>
            </MenuItem>
          )}
          {tenant.demo ? null : <MenuDivider />}
          {saved.length > 0 ? (
            <MenuGroup>
              <MenuGroupHeader>{t.savedTenantsTitle}</MenuGroupHeader>
              {saved.map((s) => {
                const here = sameSetup(s.setup, current);
                return (
                  <MenuItem
                    key={`${s.setup.tenant}|${s.setup.clientId}|${s.setup.cloud}`}
                    icon={here ? <Checkmark16Regular /> : <ArrowSwap20Regular />}
                    disabled={here}
                    onClick={() => onSwitch(s.setup)}
                    data-testid="switch-tenant"
                  >
                    <span className={styles.tenantItem}>
                      <span className={styles.oneLine} title={savedTenantName(s)}>{savedTenantName(s)}</span>
                      {s.userPrincipalName ? (
                        <span className={mergeClasses(styles.tenantWho, styles.oneLine)} title={s.userPrincipalName}>
                          {s.userPrincipalName}
                        </span>
                      ) : null}
                    </span>
                  </MenuItem>
                );
              })}
            </MenuGroup>
          ) : null}
          <MenuItem icon={<PersonAdd20Regular />} onClick={onAddTenant} data-testid="add-tenant">
            {tenant.demo ? t.signInButton : t.addTenant}
          </MenuItem>
          {tenant.demo ? null : (
            <>
              <MenuDivider />
              <MenuItem icon={<SignOut20Regular />} onClick={onSignOut} data-testid="sign-out">
                {t.signOut}
              </MenuItem>
            </>
          )}
        </MenuList>
      </MenuPopover>
    </Menu>
  );
}
