// Past 600 lines: every word the window shows, in one file per language.
// English messages. Every user-facing string lives in a message file, never in a component.
// Numbers arrive already formatted for the locale.

import type { RunTitle } from "../bindings/RunTitle";

/// One form or the other by the language's plural rules (Intl.PluralRules), never by
/// comparing a formatted number with "1".
const plural = (count: number, one: string, other: string) =>
  new Intl.PluralRules("en").select(count) === "one" ? one : other;

/// The values an error names (a size, a sheet…), by name.
type Values = { [key in string]?: string };
/// Errors from the Rust side by their code. English repeats the Rust side's words (which the
/// CLI prints too); every other language has its own.
type ErrorWords = Record<string, ((v: Values) => string) | undefined>;

/// A run's title in words. `n` formats a count, `country` names a usage location.
function runTitle(title: RunTitle, n: (v: number) => string, country: (code: string) => string): string {
  const list = (names: string[]) => names.join(", ");
  switch (title.kind) {
    case "change": {
      const { give, take, apps, location, people } = title;
      let what =
        give.length > 0 && take.length > 0 ? `Swap ${list(take)} → ${list(give)}`
        : give.length > 0 ? `Give ${list(give)}`
        : take.length > 0 ? `Take away ${list(take)}`
        : apps.length > 0 ? `Switch apps in ${list(apps)}`
        : location ? `Set usage location to ${country(location)}`
        : "Set usage location";
      if (location && (give.length > 0 || take.length > 0)) what += ` (usage location ${country(location)})`;
      return `${what} — ${n(people)} ${plural(people, "person", "people")}`;
    }
    case "import":
      return `Import ${title.file} — ${n(title.people)} ${plural(title.people, "person", "people")}`;
    case "planFile":
      return `${title.title} (plan file ${title.file}, which says it was prepared by ${title.author})`;
    case "undo":
      return `Undo: ${runTitle(title.of, n, country)}`;
    case "words":
      return title.text;
  }
}

/// A review's counts: how many people get each outcome.
export interface ReviewCounts {
  give: number;
  take: number;
  swap: number;
  apps: number;
  located: number;
  blocked: number;
  nothing: number;
}

export const en = {
  appName: "LicenseDesk",
  navLabel: "Main navigation",
  navPlans: "Plans",
  demoBadge: "Demo tenant",
  demoBadgeHint:
    "You are looking at Contoso, a made-up organisation built into LicenseDesk. Nothing you do here touches a real tenant.",
  tenantLoading: "Connecting…",
  tenantLabel: (name: string, domain: string) => `${name} (${domain})`,

  navUsers: "Users",
  users: {
    title: "Users",
    subtitle: (total: string, tenant: string) => `${total} people in ${tenant}.`,
    loadingMore: (n: string) => `Reading the directory… ${n} people so far.`,
    search: "Search by name or user principal name",
    chipUnlicensed: (n: string) => `Unlicensed (${n})`,
    chipNoLocation: (n: string) => `No usage location (${n})`,
    chipErrors: (n: string) => `License errors (${n})`,
    department: "Department",
    country: "Usage location",
    plan: "Holds plan",
    any: "Any",
    clearFilters: "Clear filters",
    matching: (n: string) => `${n} matching`,
    colName: "Name",
    colUpn: "User principal name",
    colDepartment: "Department",
    colLocation: "Usage location",
    colLicenses: "Licenses",
    colSignIn: "Sign-in",
    signInEnabled: "Allowed",
    signInBlocked: "Blocked",
    unlicensed: "Unlicensed",
    fromGroup: "from a group",
    licenseError: "error",
    selectRow: (name: string) => `Select ${name}`,
    selectAllShown: "Select everyone shown",
    selectAllMatching: (n: string) => `Select all ${n} matching`,
    selected: (n: string) => `${n} selected`,
    clearSelection: "Clear selection",
    give: "Give a license",
    takeAway: "Take away",
    swap: "Swap",
    setLocation: "Set usage location",
    loading: "Reading people…",
    emptyTitle: "Nobody matches",
    emptyBody: "Change the search or clear the filters.",
    errorTitle: "People could not be read",
  },
  person: {
    close: "Close",
    usageLocation: "Usage location",
    noUsageLocation: "None — Microsoft needs one before a license can be given",
    change: "Change",
    department: "Department",
    signIn: "Sign-in",
    licenses: "Licenses",
    noLicenses: "No licenses.",
    direct: "Direct",
    fromGroup: (name: string) => `From group ${name}`,
    groupError: (error: string) => `The group could not give this license: ${error}`,
    apps: "Apps",
    appOn: "On",
    appOff: "Off",
    appsPending: (n: number) =>
      `${n === 1 ? "1 app is" : `${n} apps are`} switched here but nothing has changed yet. Review the change to apply it.`,
    appsReview: "Review the app change",
    appsDiscard: "Discard",
    appWillBe: (on: boolean) => (on ? "will be on" : "will be off"),
    takeAway: "Take away",
    swapFor: "Swap for…",
    fromGroupHint: (name: string) =>
      `This license comes from the group ${name}. Remove the person from that group (or change the group's licenses) to take it away; it cannot be removed here.`,
    give: "Give a license",
    loading: "Reading this person…",
    errorTitle: "This person could not be read",
    changed: (what: string) => `Done: ${what}`,
  },
  change: {
    giveTitle: "Give a license",
    takeTitle: "Take a license away",
    swapTitle: "Swap one license for another",
    locationTitle: "Set the usage location",
    appsTitle: "Switch apps",
    forPeople: (count: number, n: string, name: string | null) =>
      name ? `For ${name}.` : `For ${n} ${plural(count, "person", "people")}.`,
    chooseToPlan: "Choose the license to give instead: it must differ from the one taken away.",
    choosePlanFirst: "Choose a license first.",
    chooseCountryFirst: "Choose a country first.",
    plan: "License",
    choosePlan: "Choose a license",
    fromPlan: "Take away",
    toPlan: "Give instead",
    appsOff: "Apps to leave off",
    keepOff: "Keep apps that were off switched off in the new license",
    country: "Country",
    chooseCountry: "Type to search countries",
    setMissingLocation: "People without a usage location get",
    noCountry: "Nobody — leave them out",
    review: "Review the change",
    back: "Back",
    available: (n: string) => `${n} available`,
  },
  longText: {
    all: (n: string) => `Show all ${n} characters`,
    less: "Show less",
  },
  errors: {
    "graph.unauthorized": () => "Your sign-in has expired or was not accepted. Sign in again.",
    "graph.busy": () => "Microsoft 365 is busy right now. Wait a minute and try again.",
    "graph.unreachable": () => "LicenseDesk cannot reach Microsoft 365. Check the network connection and try again.",
    "graph.failed": () => "Microsoft 365 refused the request. The details say why.",
    "signin.cancelled": () => "The sign-in was cancelled.",
    "signin.timeout": () => "The sign-in took too long. Start it again.",
    "signin.expired": () => "The code expired before it was entered. Start again to get a new code.",
    "signin.declined": () => "The sign-in was declined on the verification page.",
    "signin.again": () => "Your saved sign-in is no longer valid (it expired or was revoked). Sign in again.",
    "signin.unreachable": () => "LicenseDesk cannot reach the Microsoft sign-in service. Check the network connection and try again.",
    "import.tooLarge": (v) => `The file is ${v.mb} MB; LicenseDesk reads files up to ${v.most} MB. Split it into smaller files.`,
    "import.empty": () => "The file is empty: there is nobody in it.",
    "import.binary": () => "This is not a text file (it holds binary data). Save it from Excel as “CSV UTF-8” or “Unicode text” and choose that file.",
    "import.oldSpreadsheet": () => "This is an old Excel workbook (.xls): open it in Excel and save it as .xlsx or “CSV UTF-8”, then choose that file.",
    "import.workbook": () => "The workbook cannot be opened: open it in Excel, save it again as .xlsx, and choose that file. The details say why.",
    "import.noSuchSheet": (v) => `The workbook has no sheet “${v.asked}”; its sheets are: ${v.sheets}.`,
    "import.noUsableColumn": () => "No column could be read: the file needs a header row and at least one column of user names.",
    "import.headerRowOutside": (v) => `Line ${v.asked} cannot be the header row: the file has ${v.lines} lines.`,
    "import.tooBig": () => "This file is not read: it is far larger than a list of people (the details say what). Save only the sheet or columns with the people, or split the file, and choose that file.",
    "import.notAFile": () => "This is not a file LicenseDesk can read (a device, a pipe or a folder). Choose the file HR sent.",
    "planFile.edited": () => "This plan file was changed after it was saved (its digest does not match), so it is not what was prepared. Nothing was applied. Ask for a new plan file.",
    "planFile.badSignature": () => "This plan file's signature does not match its content: it was changed after it was signed. Nothing was applied. Ask for a new plan file.",
    "planFile.notTrusted": () => "Your organisation's policy accepts only plans signed with a key it trusts, and this plan is not. Nothing was applied. Ask for the plan to be prepared by someone whose key is trusted.",
    "run.otherTenant": () => "This change was reviewed on another tenant than the one you are on now. Nothing was changed. Choose the change again here to review it.",
  } as ErrorWords,
  navHistory: "History",
  navSettings: "Settings",
  settings: {
    title: "Settings",
    loading: "Reading the settings…",
    errorTitle: "The settings could not be read",
    ownKeyTitle: "Your plan-signing key",
    ownKeyHint:
      "Plans you save for approval are signed with this key, kept in your computer's keychain. Give its public key to whoever approves your plans, so that their LicenseDesk shows the plans as yours.",
    fingerprint: "Fingerprint",
    copy: "Copy the public key",
    copied: "Copied",
    copyFailed: "Could not copy: select the key and copy it",
    noOwnKey: (why: string) => `You have no signing key yet, so plans you save are not signed. ${why}`,
    trustedTitle: "Keys you trust",
    trustedHint:
      "A plan signed with one of these keys is shown as coming from the person named here. A plan signed with any other key, or not signed, is shown as such.",
    required: "Your organisation accepts only plans signed with a key it trusts: other plans cannot be opened.",
    noneTrusted: "You trust no keys yet.",
    byPolicy: "From your organisation",
    remove: "Remove",
    removeLabel: (name: string) => `Stop trusting ${name}'s key`,
    addTitle: "Trust a key",
    nameLabel: "Whose key",
    nameHint: "As you want to see it when you approve their plans, e.g. “Ann de Vries (IT)”.",
    keyLabel: "Public key",
    keyHint: "The public key from their Settings page (or `licensedesk-cli signing-key`). Check its fingerprint with them.",
    add: "Trust this key",
    addFailed: "The key could not be added",
    added: (name: string) => `${name}'s key is trusted.`,
  },
  approve: {
    open: "Open a plan to approve…",
    hint: "Did a colleague save a plan for you to check? Open it here. LicenseDesk checks that the file is unchanged and for this tenant, works it out again as things are now and shows what changed since. Nothing is sent until you apply it.",
    opening: "Opening the plan…",
    title: (file: string) => `Approve the plan in ${file}`,
    signedTrusted: (name: string, fingerprint: string, byPolicy: boolean) =>
      `Signed by ${name} (key fingerprint ${fingerprint}), a key ${byPolicy ? "your organisation trusts" : "you trust"}. The plan is unchanged since it was signed.`,
    signedUnknown: (fingerprint: string) =>
      `Signed with a key you do not trust yet (fingerprint ${fingerprint}). The signature shows only that the plan is unchanged since that key signed it, not whose key it is. Check the fingerprint with the person who sent it before you apply, and add their key in Settings.`,
    unsigned: "Not signed: nothing shows who prepared this plan or that it is unchanged. Check every change below before you apply it.",
    claims: (what: string, who: string, when: string) =>
      `The file says it is “${what}”, prepared by ${who} on ${when}. These are the file's own words: LicenseDesk cannot check them. What will really happen is listed below.`,
    noDrift: "Nothing has changed in the tenant since it was prepared.",
    drifted: "The tenant changed since it was prepared. The plan below is worked out as things are now:",
    seat: (plan: string, then: string, now: string) => `${plan}: ${then} free seats then, ${now} now.`,
    changed: (n: string) => `${n} ${n === "1" ? "person is" : "people are"} not as they were (changed since): planned again as they are now.`,
    gone: (n: string) => `${n} ${n === "1" ? "person is" : "people are"} no longer in the tenant: left out.`,
    save: "Save for approval…",
    saveHint: "Saves this plan as a file for someone else to check and apply. Nothing is changed.",
    saved: (path: string) => `Saved to ${path}. Nothing was changed. Send the file to whoever approves it: they open it in History, with “Open a plan to approve”.`,
    savedSigned: (fingerprint: string) => `It is signed with your key (fingerprint ${fingerprint}); the approver sees that it comes from you.`,
    savedUnsigned: (why: string) => `It is not signed (${why}): the approver cannot tell that it comes from you.`,
    offered: (name: string) => `${name} is a plan to approve.`,
    openOffered: "Open it in History",
  },
  history: {
    title: "History",
    subtitle: "Every change LicenseDesk made, newest first. Open a run to see each person, save its report or undo it.",
    loading: "Reading the history…",
    empty: "No runs yet. Changes you apply on the Users or Import page are recorded here.",
    when: "Started",
    what: "What",
    who: "By",
    tenant: "Tenant",
    result: "Result",
    state: "State",
    states: {
      running: "Running",
      interrupted: "Interrupted",
      finished: "Finished",
      cancelled: "Cancelled",
      undone: "Undone",
    },
    finishedNothing: "Finished, nothing changed",
    finishedFailures: "Finished with failures",
    counts: (done: string, failed: string, total: string) => `${done} done · ${failed} failed · of ${total}`,
    open: "Open",
    back: "Back to history",
    runTitle,
    runMeta: (when: string, who: string, tenant: string, id: string) => `Started ${when} by ${who} on ${tenant} · run ${id}`,
    openChanges: (n: string) => `${n} ${n === "1" ? "change was" : "changes were"} not settled when the run was cut short.`,
    finish: "Finish this run",
    finishing: "Finishing the run: answers that were lost are checked by reading the people first…",
    finished: (done: string, failed: string) => `Finished: ${done} done, ${failed} failed.`,
    undo: "Undo this run…",
    undoTitle: (what: string) => `Undo: ${what}`,
    undoneBy: (id: string) => `Undone by run ${id}.`,
    undoes: (id: string) => `This run undid run ${id}.`,
    saveCsv: "Save report as CSV…",
    saveExcel: "Save report as Excel…",
    savedTo: (path: string) => `Saved to ${path}`,
    onlyProblems: "Only what did not work",
    person: "Person",
    change: "Change",
    status: "Result",
    statuses: {
      pending: "Not sent yet",
      sent: "Sent, answer not received",
      done: "Done",
      failed: "Failed",
      skipped: "Not changed",
      notSent: "Not sent",
    },
    changedSince: "Changed by someone else during the run: left as it was.",
    page: (from: string, to: string, all: string) => `${from}–${to} of ${all}`,
    previous: "Previous",
    next: "Next",
    interruptedBanner: (what: string, n: string) =>
      `A run was cut short before it finished: “${what}” (${n} ${n === "1" ? "change" : "changes"} not settled). Nothing is sent twice: LicenseDesk checks each person first.`,
    finishNow: "Finish it",
    seeIt: "See it in History",
    leftAlone: (n: string) => `${n} ${n === "1" ? "person was" : "people were"} changed by someone else since this run and will be left as they are:`,
    savedAsRun: (id: string) => `Recorded as run ${id} in History, where it can be undone.`,
  },
  navImport: "Import",
  import: {
  issues: {
    nothingToDo: "Nothing to do: the row names no license and no usage location.",
    noUser: "No user in this row: fill in the person's user principal name or leave the row out.",
    unknownUser: (value: string, near: string | null) =>
      near ? `No one in this tenant is “${value}”. Did you mean ${near}?` : `No one in this tenant is “${value}”: check the user principal name.`,
    ukIsGb: "“UK” read as GB (United Kingdom): GB is its ISO code.",
    unknownCountry: (value: string, suggestions: string[]) =>
      `“${value}” is not a country LicenseDesk knows${suggestions.length ? `: did you mean ${suggestions.join(" or ")}?` : ": write its name or its two-letter code (NL, DE, US…)."}`,
    ambiguousCountry: (value: string, codes: string[]) => `“${value}” can mean ${codes.join(" or ")}: write the two-letter code.`,
    notAnAction: (value: string) => `“${value}” is not an action: write add, remove or replace.`,
    notForPeople: (license: string) => `${license} is for the whole organisation, not for people: choose another license.`,
    unknownLicense: (value: string, candidates: string[]) =>
      `The tenant has no license “${value}”${candidates.length ? `; it has ${candidates.slice(0, 6).join(", ")}` : ""}.`,
    ambiguousLicense: (value: string, candidates: string[]) => `“${value}” can mean ${candidates.join(" or ")}: write the full name.`,
    notAnApp: (value: string) => `“${value}” is not an app in the licenses this row gives: use the app's name, like EXCHANGE_S_ENTERPRISE.`,
    sameAsLine: (line: number) => `The same as line ${line}: used once.`,
    differentInstructions: (lines: number[]) => `This person is on lines ${lines.join(", ")} with different instructions: keep one and leave out the others.`,
  },
    dropped: (name: string) => `${name} is ready to import.`,
    openDropped: "Open on the Import page",
    notNow: "Not now",
    title: "Import a file from HR",
    steps: ["Choose the file", "Check the reading", "Map the columns", "Fix the rows", "Review and apply"],
    stepOf: (n: string, total: string, name: string) => `Step ${n} of ${total}: ${name}`,
    intro:
      "Give or take licenses for the people listed in a file: a CSV or text file in any encoding and with any delimiter, or an Excel workbook. Column names may be in English, Dutch, German, French or Spanish. The file is only read, never changed.",
    dropHere: "Drop the file here",
    or: "or",
    choose: "Choose a file…",
    formats: "CSV, TXT or TSV, or an Excel workbook (.xlsx); up to 50 MB.",
    opening: "Reading the file…",
    readTitle: "Check how the file was read",
    readSummary: (file: string, count: number, rows: string) => `${file}: ${rows} ${plural(count, "row", "rows")} after the header.`,
    encoding: "Characters (encoding)",
    delimiter: "Columns split on",
    headerRow: "Header on line",
    sheet: "Sheet",
    comma: "Comma (,)",
    semicolon: "Semicolon (;)",
    tab: "Tab",
    pipe: "Vertical bar (|)",
    readHint:
      "Names with odd characters (Ã©, �)? Try another encoding. Everything in one column? Try another delimiter. Column names wrong? Set the line of the header.",
    sample: "The first rows as read",
    reread: "Read again",
    mapTitle: "Which column holds what?",
    mapIntro: "LicenseDesk guessed from the column names. Change any guess that is wrong; columns that are not used are ignored.",
    column: "Column",
    examples: "First values",
    holds: "Holds",
    fields: {
      user: "Person (user principal name or e-mail)",
      usageLocation: "Usage location (country)",
      addLicenses: "Licenses to give",
      removeLicenses: "Licenses to take away",
      action: "Action (add, remove or replace)",
      disabledPlans: "Apps to leave off",
      department: "Department (shown only)",
    },
    notUsed: "Not used",
    licenseForAll: "License for every row",
    licenseForAllHint: "The file has no license column, so every row gets the license chosen here.",
    noLicense: "No license: only set usage locations",
    chooseLicense: "Choose a license",
    needUser: "Choose the column that holds the people before going on.",
    fromProfile: (name: string) => `Columns mapped as in your saved mapping “${name}”.`,
    saveProfile: "Remember this mapping for files with these columns",
    profileName: "Name for this mapping",
    checking: "Checking every row against the tenant…",
    fixTitle: "Fix the rows",
    counts: (ready: string, total: string, errors: string, excluded: string) =>
      `${ready} of ${total} rows ready · ${errors} with errors · ${excluded} left out`,
    errorsWait: (n: string) => `${n} ${n === "1" ? "row has" : "rows have"} errors: fix ${n === "1" ? "it" : "them"} here or leave ${n === "1" ? "it" : "them"} out. Rows with errors are not part of the change.`,
    allReady: "Every row can be used.",
    onlyProblems: "Only rows that need a look",
    line: "Line",
    person: "Person",
    country: "Usage location",
    licenses: "Change",
    problem: "What to check",
    fix: "Fix",
    save: "Save",
    cancel: "Cancel",
    leaveOut: "Leave out",
    putBack: "Put back",
    useSuggestion: (value: string) => `Use ${value}`,
    give: (list: string) => `Give ${list}`,
    take: (list: string) => `Take away ${list}`,
    replace: (list: string) => `Have only ${list}`,
    leftOut: "Left out",
    ready: "Ready",
    error: "Error",
    warning: "Check",
    noRows: "No row needs a look.",
    page: (from: string, to: string, all: string) => `Rows ${from}–${to} of ${all}`,
    previous: "Previous",
    next: "Next",
    back: "Back",
    review: (n: string) => `Review ${n} ${n === "1" ? "row" : "rows"}`,
    runTitle: "Import from HR",
    another: "Import another file",
    fixField: (field: string) => `New value for ${field}`,
  },
  preview: {
    planning: "Working out the plan…",
    title: "Review: nothing has changed yet",
    seats: "Seats",
    seatLine: (name: string, before: string, after: string) => `${name}: ${before} available now → ${after} after`,
    given: (n: string) => `${n} given`,
    freed: (n: string) => `${n} freed`,
    short: (n: string) => `${n} more needed`,
    shortfallQuestion: "There are not enough seats for everyone. Who gets one?",
    partial: "As many as seats allow, in the order shown",
    nobody: "Nobody — change nothing for these people",
    people: "People",
    willGive: (plans: string) => `Gets ${plans}`,
    willTake: (plans: string) => `Loses ${plans}`,
    willSwap: (from: string, to: string) => `${from} → ${to}`,
    willSwitchApps: (plan: string, on: string[], off: string[]) =>
      `${plan}: ${[on.length ? `switches on ${on.join(", ")}` : "", off.length ? `switches off ${off.join(", ")}` : ""].filter(Boolean).join("; ")}`,
    willSwitchIn: (plans: string) => `Apps switched in ${plans}`,
    willSetLocation: (country: string) => `Usage location set to ${country}`,
    willChangeLocation: (from: string, to: string) => `Usage location from ${from} to ${to}`,
    nothing: "Nothing to do",
    blocked: "Not changed",
    counts: (c: ReviewCounts, n: (v: number) => string) =>
      [
        c.give ? `${n(c.give)} ${plural(c.give, "gets a license", "get a license")}` : "",
        c.take ? `${n(c.take)} ${plural(c.take, "loses one", "lose one")}` : "",
        c.swap ? `${n(c.swap)} ${plural(c.swap, "swaps", "swap")}` : "",
        c.apps ? `${n(c.apps)} ${plural(c.apps, "has apps switched", "have apps switched")}` : "",
        c.located ? `${n(c.located)} only ${plural(c.located, "gets a usage location", "get a usage location")}` : "",
        c.blocked ? `${n(c.blocked)} not changed` : "",
        c.nothing ? `${n(c.nothing)} with nothing to do` : "",
      ]
        .filter(Boolean)
        .join(" · "),
    fixNoLocation: (n: string) => `${n} ${n === "1" ? "person has" : "people have"} no usage location.`,
    fixSetTo: (country: string) => `Set them to ${country}`,
    confirm: (what: string, count: number, n: string, left: string) => `${what} for ${n} ${plural(count, "person", "people")}? ${left}`,
    seatsLeft: (name: string, count: number, n: string) => `${n} ${name} ${plural(count, "seat", "seats")} will be left.`,
    undoTitle: "Review the undo: nothing has changed yet",
    undoApply: (count: number, n: string) => `Undo for ${n} ${plural(count, "person", "people")}`,
    apply: "Apply",
    nothingToApply: "Nothing would change. Go back and choose another change or other people.",
  },
  run: {
    title: "Applying the change",
    progress: (done: string, total: string) => `${done} of ${total} done`,
    failed: (n: string) => `${n} failed`,
    rate: (n: string) => `${n} per second`,
    left: (time: string) => `about ${time} left`,
    pause: "Pause",
    resume: "Resume",
    cancel: "Cancel",
    paused: "Paused: nothing is being sent.",
    cancelling: "Cancelling: what was sent is finished first.",
  },
  result: {
    title: "Done",
    cancelledTitle: "Cancelled",
    titleFor: (done: number, failed: number) =>
      done === 0 && failed === 0
        ? "Nothing was changed"
        : failed > 0
          ? `Finished with ${failed} ${plural(failed, "failure", "failures")}`
          : `Done: ${done} ${plural(done, "person", "people")} changed`,
    summary: (done: string, failed: string, skipped: string, notSent: string) =>
      `${done} changed · ${failed} failed · ${skipped} not changed · ${notSent} not sent`,
    onlyFailures: "Show only what did not work",
    retryFailed: "Retry the failed ones",
    saveCsv: "Save as CSV…",
    savedTo: (path: string) => `Saved to ${path}`,
    close: "Back to users",
    statusDone: "Done",
    statusFailed: "Failed",
    statusSkipped: "Not changed",
    statusNotSent: "Not sent",
    notSentWhy: "Not sent: the run was cancelled first.",
    failures: {
      usageLocationMissing: "No usage location: Microsoft needs one before a license can be given. Set a usage location first.",
      noFreeSeat: (plan: string) => `No free ${plan} seats left: buy seats or choose fewer people.`,
      fromGroup: "This license comes from a group: remove the person from that group instead.",
      mutuallyExclusive:
        "Two of the person's apps cannot be on together (for example Exchange Online Plan 1 and Plan 2): swap the licenses instead of adding one.",
      dependencyMissing: "An app in this license needs another app the person would not have: keep that app switched on.",
      forbidden: "Microsoft 365 refused: this sign-in lacks a permission or role (License Administrator or User Administrator).",
      notFound: "This person no longer exists in the tenant.",
      busy: "Microsoft 365 was busy: retry the failed people.",
      thisPlan: "this plan",
    },
  },
  reasons: {
    alreadyHasIt: (plan: string) => `Already has ${plan}.`,
    appsAlreadySo: (plan: string) => `The apps of ${plan} are already switched this way.`,
    doesNotHaveIt: (plan: string) => `Does not have ${plan} directly: nothing to take away.`,
    noUsageLocation: "No usage location: Microsoft needs one before a license can be given. Set a usage location first.",
    fromGroup: (plan: string, group: string) =>
      `${plan} comes from the group ${group}: remove the person from that group instead.`,
    unknownPlan: "The tenant does not have this license.",
    notForPeople: (plan: string) => `${plan} is for the whole organisation, not for people.`,
    planNotActive: (plan: string) => `${plan} is suspended or cancelled: no seats can be given from it.`,
    planConflict: (plan: string, plans: string) =>
      `${plan} cannot be added: ${plans} cannot be on together. Swap the licenses instead.`,
    noSeat: (plan: string) => `Not enough free ${plan} seats: buy seats or choose fewer people.`,
    nothingAsked: "Nothing to change.",
  },
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
  closeDuringRun: {
    title: "Changes are still being applied",
    body: "If you close LicenseDesk now, it stops sending. Changes already made stay made; the rest are not sent, and the result will not be shown.",
    keep: "Keep working",
    stop: "Stop and close",
    stopping: "Stopping: what was sent is finished first…",
  },
  graphWaiting: (seconds: number) =>
    `Microsoft 365 asked LicenseDesk to wait ${seconds} ${plural(seconds, "second", "seconds")} (too many requests at once). It carries on by itself; nothing is lost.`,
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
