// English messages. Every user-facing string lives in a message file, never in a component.
// Numbers arrive already formatted for the locale.

export const en = {
  appName: "LicenseDesk",
  navLabel: "Main navigation",
  navPlans: "Plans",
  demoBadge: "Demo tenant",
  demoBadgeHint:
    "You are looking at Contoso, a made-up organisation built into LicenseDesk. Nothing you do here touches a real tenant.",
  tenantLoading: "Connecting…",
  tenantLabel: (name: string, domain: string) => `${name} (${domain})`,

  navTenant: "Sign in",
  signInButton: "Sign in to your tenant",
  signOut: "Sign out",
  signedInAs: (who: string) => `Signed in as ${who}`,
  permissionsCount: (n: number) => (n === 1 ? "1 permission" : `${n} permissions`),
  permissionsTitle: "Permissions granted to this sign-in",
  permissionNames: {
    "LicenseAssignment.ReadWrite.All": "Assign and remove licenses",
    "LicenseAssignment.Read.All": "Read license assignments",
    "Organization.Read.All": "Read your plans and seat counts",
    "User.Read.All": "Read users and their licenses",
    "User.ReadWrite.All": "Set users' usage locations",
    "GroupMember.Read.All": "Read the names of groups that give licenses",
    "Directory.Read.All": "Read the directory",
    "Directory.ReadWrite.All": "Read and write the directory",
  } as Record<string, string>,
  usageLocationsNotGranted:
    "Usage locations cannot be set with this sign-in. To set them, sign in again with “Let me set usage locations”.",
  roleHint: "To assign licenses your account needs the License Administrator or User Administrator role.",
  copyTenantId: "Copy tenant ID",
  tenantIdCopied: "Tenant ID copied",
  addTenant: "Sign in to another tenant…",
  graphWaiting: (seconds: number) =>
    `Microsoft 365 asked LicenseDesk to wait ${seconds} seconds (too many requests at once). It carries on by itself; nothing is lost.`,
  switchFailed: "Could not switch tenant",
  signOutFailed: "Could not sign out",
  tenantTitle: "Connect to your Microsoft 365 tenant",
  tenantIntro:
    "LicenseDesk signs in with your organisation's own app registration. Your sign-in is kept in the system keychain, never in a file.",
  fieldTenant: "Tenant",
  fieldTenantHint: "Your domain (contoso.onmicrosoft.com), the tenant ID, or “organizations”.",
  fieldClientId: "Application (client) ID",
  fieldClientIdHint: "From Entra admin center → App registrations → your LicenseDesk app → Overview.",
  fieldCloud: "Cloud",
  cloudGlobal: "Global (including GCC)",
  cloudUsGov: "US Government GCC High",
  cloudDod: "US Government DoD",
  cloudChina: "China (21Vianet)",
  fieldUsageLocations: "Let me set usage locations (also asks for User.ReadWrite.All)",
  advanced: "Advanced: other sign-in and Graph addresses",
  fieldAuthority: "Sign-in address",
  fieldGraph: "Microsoft Graph address",
  signInBrowser: "Sign in with the browser",
  signInCode: "Sign in with a code",
  signInWaitingBrowser: "Finish signing in in your browser, then come back here.",
  deviceTitle: "Enter this code on the sign-in page",
  deviceSteps: (uri: string) => `Open ${uri} on any device, enter the code, and sign in with an admin account.`,
  copyCode: "Copy code",
  copied: "Copied",
  copyFailed: "Could not copy to the clipboard",
  openPage: "Open sign-in page",
  waiting: "Waiting for you to finish…",
  cancel: "Cancel",
  signInFailed: "Sign-in did not complete",
  savedTenantsTitle: "Tenants you signed in to",
  switchTo: "Switch",
  guideTitle: "How to register LicenseDesk in your tenant (once, by an admin)",
  guideSteps: [
    "In the Entra admin center, go to App registrations → New registration. Name it “LicenseDesk”, supported accounts: this organisation only.",
    "Under Authentication, add the platform “Mobile and desktop applications” with redirect URI http://localhost, add http://127.0.0.1 as well (in the Manifest, replyUrlsWithType, if the form refuses it; LicenseDesk listens on 127.0.0.1), and allow public client flows (for sign-in with a code).",
    "Under API permissions, add Microsoft Graph delegated permissions: LicenseAssignment.ReadWrite.All, Organization.Read.All, User.Read.All, GroupMember.Read.All (and User.ReadWrite.All to set usage locations). Then Grant admin consent.",
    "People who assign licenses need the License Administrator or User Administrator role.",
    "Copy the Application (client) ID into the form above.",
  ],

  plansTitle: "License plans",
  plansSubtitle: (count: string, tenant: string) =>
    `${count} products in ${tenant}. Seats are read live from Microsoft 365.`,
  plansSearch: "Search products",
  plansRefresh: "Refresh",
  plansLoading: "Reading license plans…",
  plansEmptyTitle: "This organisation has no license plans",
  plansEmptyBody:
    "Microsoft 365 lists no subscriptions for this tenant. Buy or start a trial in the Microsoft 365 admin center, then refresh.",
  plansNoMatch: (query: string) => `No product matches “${query}”.`,
  plansErrorTitle: "License plans could not be read",
  retry: "Try again",
  showDetails: "Details",
  hideDetails: "Hide details",

  availableOf: (free: string, total: string) => `${free} of ${total} available`,
  ofTotalAvailable: (total: string) => `of ${total} available`,
  noneAvailable: "None available",
  organisationUnits: (n: string) => `${n} for the whole organisation`,
  seatsUsedLabel: (consumed: string, total: string) => `${consumed} of ${total} seats assigned`,
  assigned: "Assigned",
  inGrace: "In grace period",
  suspendedUnits: "Suspended",
  lockedOutUnits: "Cancelled",
  moreInGrace: (n: string) => `${n} more can be assigned from seats in their grace period.`,
  overAssigned: (n: string) => `${n} more assigned than paid for. Buy seats or remove licenses.`,
  noneLeft: "No seats left. Buy more before giving this license to anyone.",
  almostFull: (n: string) => `Almost full: only ${n} left.`,
  companyOnly: "For the whole organisation, not for people.",
  notAssignable: "Cannot be given to anyone while the subscription is in this state.",

  status: {
    Enabled: "Active",
    Warning: "In grace period",
    Suspended: "Suspended",
    Deleted: "Deleted",
    LockedOut: "Cancelled",
    Unknown: "Unknown state",
  },
} as const;

type Widen<T> = T extends string
  ? string
  : T extends readonly string[]
    ? readonly string[]
  : T extends (...args: infer A) => string
    ? (...args: A) => string
    : { [K in keyof T]: Widen<T[K]> };

/// The shape every language must provide.
export type Messages = Widen<typeof en>;
