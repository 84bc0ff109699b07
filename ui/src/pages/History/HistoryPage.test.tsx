import { describe, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ApiContext, type Api } from "../../api";
import { I18nProvider } from "../../i18n";
import type { RunPage } from "../../bindings/RunPage";
import type { RunSummary } from "../../bindings/RunSummary";
import { App } from "../../App";
import { fakeApi } from "../../test/fixtures";
import { HistoryPage } from "./HistoryPage";

const E3 = "05e9a617-0261-4cee-bb44-138d3ef5d965";

const run: RunSummary = {
  id: "3f2a1b9c",
  tenantId: "t",
  tenantName: "Contoso",
  startedBy: "admin@contoso.com",
  source: "app",
  startedAt: "2026-11-30T10:00:00Z",
  finishedAt: "2026-11-30T10:01:00Z",
  what: "Give Microsoft 365 E3 — 2 people",
  title: { kind: "change", give: ["Microsoft 365 E3"], take: [], apps: [], location: null, people: 2 },
  undoes: null,
  undoneBy: null,
  state: "finished",
  total: 2,
  done: 1,
  failed: 1,
  open: 0,
};

const page: RunPage = {
  summary: run,
  planNames: { [E3]: "Microsoft 365 E3" },
  matching: 2,
  changes: [
    {
      seq: 0,
      outcome: { userId: "u1", userPrincipalName: "ana@contoso.com", displayName: "Ana", action: "add", setUsageLocation: null, add: [{ skuId: E3, disabledPlans: [] }], remove: [], reason: null, joinGroups: [], leaveGroups: [] },
      before: { usageLocation: "NL", direct: [], groups: [] },
      status: "done",
      error: null,
      errorCode: null,
    },
    {
      seq: 1,
      outcome: { userId: "u2", userPrincipalName: "bo@contoso.com", displayName: "Bo", action: "add", setUsageLocation: null, add: [{ skuId: E3, disabledPlans: [] }], remove: [], reason: null, joinGroups: [], leaveGroups: [] },
      before: { usageLocation: "NL", direct: [], groups: [] },
      status: "failed",
      error: null,
      errorCode: "changedSince",
    },
  ],
};

describe("History", () => {
  it("lists runs, opens one with each person, and previews its undo with who is left alone", async () => {
    const user = userEvent.setup();
    const planUndo = vi.fn<Api["planUndo"]>(() =>
      Promise.resolve({
        plan: {
          people: [{ userId: "u1", userPrincipalName: "ana@contoso.com", displayName: "Ana", action: "remove", setUsageLocation: null, add: [], remove: [E3], reason: null, joinGroups: [], leaveGroups: [] }],
          seats: [],
        },
        planNames: { [E3]: "Microsoft 365 E3" },
        groupNames: {},
        leftAlone: [{ userPrincipalName: "bo@contoso.com", displayName: "Bo", why: "changed since" }],
        approval: null,
        appSwitches: {}, usageLocationsBefore: {},
      }),
    );
    const api = fakeApi(() => Promise.resolve([]), undefined, {
      historyRuns: () => Promise.resolve([run]),
      historyRun: () => Promise.resolve(page),
      planUndo,
    });
    render(
      <ApiContext.Provider value={api}>
        <I18nProvider locale="en">
          <HistoryPage />
        </I18nProvider>
      </ApiContext.Provider>,
    );
    expect(await screen.findByText("Give Microsoft 365 E3 — 2 people")).toBeTruthy();
    expect(screen.getByText("1 done · 1 failed · of 2")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: /Open: Give Microsoft 365 E3/ }));
    expect((await screen.findAllByText("Gets Microsoft 365 E3")).length).toBe(2);
    expect(screen.getByText("Changed by someone else during the run: left as it was.")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Undo this run…" }));
    expect(planUndo).toHaveBeenCalledWith("3f2a1b9c");
    expect(await screen.findByText(/1 person was changed by someone else since this run/)).toBeTruthy();
    expect(screen.getByText("Bo (bo@contoso.com)")).toBeTruthy();
  });

  it("words each run's title in the window's language, from the facts the journal keeps", async () => {
    // The English words differ on purpose: the list must be worded from `title`, not `what`.
    const runs: RunSummary[] = [
      { ...run, id: "a1", what: "(English words)", title: { kind: "change", give: ["Microsoft 365 E3"], take: [], apps: [], location: "BE", people: 1500 } },
      { ...run, id: "a2", what: "(English words)", title: { kind: "undo", of: { kind: "import", file: "starters.csv", people: 1 } } },
      { ...run, id: "a3", what: "Give Visio — 3 people", title: { kind: "words", text: "Give Visio — 3 people" } },
      { ...run, id: "a4", what: "(English words)", title: { kind: "membership", group: "Sales – E3", join: true, people: 2 } },
      { ...run, id: "a5", what: "(English words)", title: { kind: "role", name: "Verkoop", people: 1 } },
    ];
    const api = fakeApi(() => Promise.resolve([]), undefined, { historyRuns: () => Promise.resolve(runs) });
    render(
      <ApiContext.Provider value={api}>
        <I18nProvider locale="nl-NL">
          <HistoryPage />
        </I18nProvider>
      </ApiContext.Provider>,
    );
    expect(await screen.findByText("Microsoft 365 E3 geven (gebruikslocatie België) — 1.500 mensen")).toBeTruthy();
    expect(screen.getByText("Ongedaan maken: Import van starters.csv — 1 persoon")).toBeTruthy();
    // A run from before titles were kept shows the words it was written with.
    expect(screen.getByText("Give Visio — 3 people")).toBeTruthy();
    expect(screen.getByText("Toevoegen aan de groep “Sales – E3” — 2 mensen")).toBeTruthy();
    expect(screen.getByText("De rol “Verkoop” geven — 1 persoon")).toBeTruthy();
    expect(screen.queryByText("(English words)")).toBeNull();
  });

  it("says which group each person of a membership run joined", async () => {
    const user = userEvent.setup();
    const sales = { id: "g1", displayName: "Sales – E3", skuIds: [E3], dynamic: false };
    const membership: RunPage = {
      ...page,
      summary: { ...run, title: { kind: "membership", group: "Sales – E3", join: true, people: 2 } },
      changes: [
        { ...page.changes[0]!, outcome: { ...page.changes[0]!.outcome, action: "membership", add: [], joinGroups: [sales] } },
        { ...page.changes[1]!, status: "skipped", outcome: { ...page.changes[1]!.outcome, action: "none", add: [], reason: { code: "alreadyInGroup", groupId: "g1" }, joinGroups: [sales] } },
      ],
    };
    const api = fakeApi(() => Promise.resolve([]), undefined, {
      historyRuns: () => Promise.resolve([membership.summary]),
      historyRun: () => Promise.resolve(membership),
    });
    render(
      <ApiContext.Provider value={api}>
        <I18nProvider locale="en">
          <HistoryPage />
        </I18nProvider>
      </ApiContext.Provider>,
    );
    await user.click(await screen.findByRole("button", { name: /Open: Add to the group/ }));
    expect(await screen.findByText("Joins “Sales – E3”")).toBeTruthy();
    expect(screen.getByText(/Already a member of “Sales – E3”/)).toBeTruthy();
  });

  it("offers to finish a run that was cut short when the app starts", async () => {
    const user = userEvent.setup();
    const interrupted: RunSummary = { ...run, state: "interrupted", open: 120, finishedAt: null };
    const finishRun = vi.fn<Api["finishRun"]>(() => Promise.resolve({ ...interrupted, state: "finished", open: 0 }));
    const api = fakeApi(() => Promise.resolve([]), undefined, {
      interruptedRuns: () => Promise.resolve([interrupted]),
      historyRuns: () => Promise.resolve([interrupted]),
      historyRun: () => Promise.resolve({ ...page, summary: { ...interrupted, state: "finished", open: 0 } }),
      finishRun,
    });
    render(<App api={api} locale="en" />);
    expect(await screen.findByText(/A run was cut short before it finished: “Give Microsoft 365 E3 — 2 people” \(120 changes not settled\)/)).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Finish it" }));
    await vi.waitFor(() => expect(finishRun).toHaveBeenCalledTimes(1));
    expect(finishRun.mock.calls[0]?.[0]).toBe("3f2a1b9c");
    expect(await screen.findByTestId("history-run-detail")).toBeTruthy();
  });

  it("opens a plan to approve, shows who prepared it and what drifted, and applies it", async () => {
    const user = userEvent.setup();
    const approved = {
      plan: {
        people: [{ userId: "u1", userPrincipalName: "ana@contoso.com", displayName: "Ana", action: "add" as const, setUsageLocation: null, add: [{ skuId: E3, disabledPlans: [] }], remove: [], reason: null, joinGroups: [], leaveGroups: [] }],
        seats: [{ skuId: E3, skuPartNumber: "SPE_E3", freeBefore: 3, taken: 1, freed: 0, freeAfter: 2, shortfall: 0 }],
      },
      planNames: { [E3]: "Microsoft 365 E3" },
      groupNames: {},
      leftAlone: [],
      appSwitches: {}, usageLocationsBefore: {},
      approval: {
        fileName: "licensedesk-plan.json",
        what: "Give Microsoft 365 E3 — 3 people",
        preparedBy: "ann@contoso.com",
        preparedAt: "2026-11-30T09:00:00Z",
        drift: { gone: ["cy@contoso.com"], changed: ["bo@contoso.com"], seats: [{ skuId: E3, skuPartNumber: "SPE_E3", then: 5, now: 3 }] },
        shortfall: "nobody" as const,
        trust: { kind: "unknownKey" as const, fingerprint: "AB12 CD34 0000 0000 0000 0000 0000 0000" },
      },
    };
    const planOpenFile = vi.fn<Api["planOpenFile"]>(() => Promise.resolve(approved));
    const applyPlan = vi.fn<Api["applyPlan"]>(() =>
      Promise.resolve({ runId: "77aa", lines: [], planNames: {}, groupNames: {}, done: 1, failed: 0, skipped: 0, notSent: 0, cancelled: false }),
    );
    const api = fakeApi(() => Promise.resolve([]), undefined, { planOpenFile, applyPlan });
    render(
      <ApiContext.Provider value={api}>
        <I18nProvider locale="en">
          <HistoryPage />
        </I18nProvider>
      </ApiContext.Provider>,
    );
    await user.click(await screen.findByRole("button", { name: "Open a plan to approve…" }));
    expect(await screen.findByText("Approve the plan in licensedesk-plan.json")).toBeTruthy();
    // Who signed is what the signature shows (a key nobody here trusts), never the file's claim.
    expect(screen.getByTestId("approval-signer").textContent).toContain("Signed with a key you do not trust yet (fingerprint AB12 CD34");
    // Title, author and date are labelled as what the file says.
    expect(screen.getByTestId("approval-claims").textContent).toMatch(
      /The file says it is “Give Microsoft 365 E3 — 3 people”, prepared by ann@contoso.com on .*2026.*These are the file's own words/,
    );
    const drift = screen.getByTestId("drift-list").textContent ?? "";
    expect(drift).toContain("Microsoft 365 E3: 5 free seats then, 3 now.");
    expect(drift).toContain("1 person is not as they were");
    expect(drift).toContain("bo@contoso.com");
    expect(drift).toContain("1 person is no longer in the tenant: left out.");
    expect(drift).toContain("cy@contoso.com");
    // Saving it again as a plan is not offered: it is being approved.
    expect(screen.queryByRole("button", { name: "Save for approval…" })).toBeNull();
    await user.click(screen.getByTestId("review-apply"));
    expect(applyPlan).toHaveBeenCalledTimes(1);
  });

  it("says why a plan file is refused and changes nothing", async () => {
    const user = userEvent.setup();
    const api = fakeApi(() => Promise.resolve([]), undefined, {
      planOpenFile: () =>
        Promise.reject({ code: "planFile.edited", message: "This plan file was changed after it was saved (its digest does not match), so it is not what was prepared. Nothing was applied. Ask for a new plan file.", details: null }),
    });
    render(
      <ApiContext.Provider value={api}>
        <I18nProvider locale="en">
          <HistoryPage />
        </I18nProvider>
      </ApiContext.Provider>,
    );
    await user.click(await screen.findByRole("button", { name: "Open a plan to approve…" }));
    expect(await screen.findByText(/was changed after it was saved/)).toBeTruthy();
    expect(screen.getByRole("button", { name: "Open a plan to approve…" })).toBeTruthy();
  });
});
