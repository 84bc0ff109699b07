import type { Messages } from "./en";

// Nederlandse teksten: dezelfde sleutels als en.ts (de compiler controleert dat).
export const nl: Messages = {
  appName: "LicenseDesk",
  navLabel: "Hoofdnavigatie",
  navPlans: "Abonnementen",
  demoBadge: "Demotenant",
  demoBadgeHint:
    "Je bekijkt Contoso, een verzonnen organisatie die in LicenseDesk is ingebouwd. Niets wat je hier doet raakt een echte tenant.",
  tenantLoading: "Verbinden…",
  tenantLabel: (name, domain) => `${name} (${domain})`,

  plansTitle: "Licentieabonnementen",
  plansSubtitle: (count, tenant) =>
    `${count} producten in ${tenant}. De licenties worden live uit Microsoft 365 gelezen.`,
  plansSearch: "Producten zoeken",
  plansRefresh: "Vernieuwen",
  plansLoading: "Abonnementen lezen…",
  plansEmptyTitle: "Deze organisatie heeft geen licentieabonnementen",
  plansEmptyBody:
    "Microsoft 365 vermeldt geen abonnementen voor deze tenant. Koop er een of start een proefversie in het Microsoft 365-beheercentrum en vernieuw daarna.",
  plansNoMatch: (query) => `Geen product komt overeen met “${query}”.`,
  plansErrorTitle: "De abonnementen konden niet worden gelezen",
  retry: "Opnieuw proberen",
  showDetails: "Details",
  hideDetails: "Details verbergen",

  availableOf: (free, total) => `${free} van ${total} beschikbaar`,
  ofTotalAvailable: (total) => `van ${total} beschikbaar`,
  noneAvailable: "Geen beschikbaar",
  organisationUnits: (n) => `${n} voor de hele organisatie`,
  seatsUsedLabel: (consumed, total) => `${consumed} van ${total} licenties toegewezen`,
  assigned: "Toegewezen",
  inGrace: "In respijtperiode",
  suspendedUnits: "Opgeschort",
  lockedOutUnits: "Opgezegd",
  moreInGrace: (n) => `Nog ${n} toe te wijzen uit licenties in hun respijtperiode.`,
  overAssigned: (n) =>
    `${n} meer toegewezen dan betaald. Koop licenties bij of trek licenties in.`,
  noneLeft: "Geen licenties meer over. Koop er meer voordat je deze licentie aan iemand geeft.",
  almostFull: (n) => `Bijna vol: nog maar ${n} over.`,
  companyOnly: "Voor de hele organisatie, niet voor personen.",
  notAssignable: "Kan aan niemand worden gegeven zolang het abonnement in deze staat is.",

  status: {
    Enabled: "Actief",
    Warning: "In respijtperiode",
    Suspended: "Opgeschort",
    Deleted: "Verwijderd",
    LockedOut: "Opgezegd",
    Unknown: "Onbekende staat",
  },
};
