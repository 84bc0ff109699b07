import type { Kept } from "../bindings/Kept";
import type { About } from "../bindings/About";
import type { SkuSummary } from "../bindings/SkuSummary";
import type { TenantInfo } from "../bindings/TenantInfo";
import type { Api } from "../api";

export function plan(overrides: Partial<SkuSummary>): SkuSummary {
  return {
    skuId: "05e9a617-0261-4cee-bb44-138d3ef5d965",
    skuPartNumber: "SPE_E3",
    displayName: "Microsoft 365 E3",
    appliesTo: "User",
    capabilityStatus: "Enabled",
    enabled: 150,
    consumed: 148,
    warning: 0,
    suspended: 0,
    lockedOut: 0,
    free: 2,
    freeWithGrace: 2,
    assignable: true,
    ...overrides,
  };
}

export const contoso: TenantInfo = {
  displayName: "Contoso",
  domain: "contoso.onmicrosoft.com",
  tenantId: "4d3c2b1a-0f9e-4d8c-b7a6-5e4f3a2b1c0d",
  demo: true,
  userPrincipalName: null,
  scopes: [],
  notice: null,
};

/// Nothing kept yet: no prices, thresholds, marks or exclusions.
export const noKept: Kept = { prices: { currency: null, cents: {} }, thresholds: {}, commitments: {}, exclusions: [] };

/// A fake of the Rust side whose answers each test chooses.
/// The About box on a machine without a policy.
export const noPolicy: About = {
  version: "0.1.0",
  commit: "abc123",
  policy: {
    inForce: { file: null, tenant: null, clientId: null, cloud: null, locked: false, allowDemo: null, productNamesRefresh: null, trustedPlanKeys: [], requireSignedPlans: false },
    problem: null,
    lookedAt: "/etc/licensedesk/policy.json",
  },
};

export function fakeApi(listPlans: () => Promise<SkuSummary[]>, tenant = contoso, overrides: Partial<Api> = {}): Api {
  const notUsed = () => Promise.reject(new Error("not used in this test"));
  return {
    tenantInfo: () => Promise.resolve(tenant),
    listPlans,
    savedTenants: () => Promise.resolve([]),
    startDeviceSignIn: notUsed,
    finishDeviceSignIn: notUsed,
    signInWithBrowser: notUsed,
    cancelSignIn: () => Promise.resolve(),
    openVerificationPage: () => Promise.resolve(),
    switchTenant: notUsed,
    signOut: notUsed,
    onGraphWait: () => () => {},
    onCloseRequested: () => () => {},
    stopRunAndQuit: () => Promise.resolve(),
    usersPage: notUsed,
    matchingIds: notUsed,
    person: notUsed,
    countries: () => Promise.resolve([]),
    planChange: notUsed,
    applyPlan: notUsed,
    pauseRun: () => Promise.resolve(),
    resumeRun: () => Promise.resolve(),
    cancelRun: () => Promise.resolve(),
    planRetry: notUsed,
    importChooseFile: () => Promise.resolve(null),
    importOfferedFile: () => Promise.resolve(null),
    importOpenOffered: notUsed,
    onFileOffered: () => () => {},
    importReread: notUsed,
    importCheck: notUsed,
    importRows: notUsed,
    importFix: notUsed,
    importLeaveOut: notUsed,
    importPlan: notUsed,
    historyRuns: () => Promise.resolve([]),
    historyRun: notUsed,
    interruptedRuns: () => Promise.resolve([]),
    finishRun: notUsed,
    planUndo: notUsed,
    saveRunReport: () => Promise.resolve(null),
    planSaveFile: () => Promise.resolve(null),
    planOpenFile: () => Promise.resolve(null),
    planOfferedFile: () => Promise.resolve(null),
    planOpenOffered: notUsed,
    planFileReplan: notUsed,
    onPlanOffered: () => () => {},
    signingSettings: notUsed,
    preferredLanguage: () => Promise.resolve(null),
    about: () => Promise.resolve(noPolicy),
    firstScreenDrawn: () => Promise.resolve(),
    kept: () => Promise.resolve(noKept),
    setPrice: () => Promise.resolve(noKept),
    importPrices: () => Promise.resolve(null),
    setThreshold: () => Promise.resolve(noKept),
    setCommitment: () => Promise.resolve(noKept),
    exclude: () => Promise.resolve(noKept),
    unexclude: () => Promise.resolve(noKept),
    planCosts: () => Promise.resolve([]),
    renewals: () => Promise.resolve([]),
    saveChargeback: () => Promise.resolve(null),
    reclaimScan: () => Promise.resolve({ signIns: "available", days: 90, rows: [], currency: null, exclusions: [] }),
    reclaimPlan: () => Promise.reject(new Error("no plan in this test")),
    groupsList: () => Promise.resolve([]),
    groupDetail: () => Promise.reject(new Error("no group in this test")),
    groupMembersPage: () => Promise.resolve({ total: 0, matching: 0, rows: [] }),
    groupsReprocess: () => Promise.resolve({ reprocessed: 0, failed: [] }),
    groupsPlanMembership: () => Promise.reject(new Error("no plan in this test")),
    groupsGiving: () => Promise.resolve([]),
    doublesScan: () => Promise.resolve([]),
    doublesPlan: () => Promise.reject(new Error("no plan in this test")),
    rolesGet: () => Promise.resolve({ roles: [] }),
    rolesSave: (roles) => Promise.resolve({ roles: roles.roles.map((role) => ({ role, problems: [] })) }),
    rolesImport: () => Promise.resolve(null),
    rolesExport: () => Promise.resolve(null),
    rolesChoices: () => Promise.resolve({ plans: [], groups: [] }),
    rolePlan: () => Promise.reject(new Error("no plan in this test")),
    appearance: () => Promise.resolve({ language: "system", theme: "system" }),
    setAppearance: () => Promise.resolve(),
    thisComputer: () => Promise.resolve({ logFolder: "/home/ann/.local/share/app.licensedesk.desktop/logs", journal: "/home/ann/.local/share/app.licensedesk.desktop/journal.sqlite", keychainMissing: null, savedTenants: 0 }),
    forgetSavedTenants: () => Promise.resolve(),
    productNames: () => Promise.resolve({ products: 44, refreshedAt: null, atStart: false, policy: null }),
    refreshProductNames: notUsed,
    setProductNamesAtStart: notUsed,
    trustPlanKey: () => Promise.resolve(),
    untrustPlanKey: () => Promise.resolve(),
    ...overrides,
  };
}
