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
  : T extends (...args: infer A) => string
    ? (...args: A) => string
    : { [K in keyof T]: Widen<T[K]> };

/// The shape every language must provide.
export type Messages = Widen<typeof en>;
