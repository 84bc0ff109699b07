import { describe, expect, it, vi } from "vitest";
import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { ApiContext, type Api } from "../../api";
import { I18nProvider } from "../../i18n";
import type { GroupView } from "../../bindings/GroupView";
import type { GroupDetail } from "../../bindings/GroupDetail";
import type { MemberStanding } from "../../bindings/MemberStanding";
import type { PlanPreview } from "../../bindings/PlanPreview";
import { GroupsPage } from "./GroupsPage";
import { fakeApi, plan } from "../../test/fixtures";

function renderPage(api: Api, locale = "en-US") {
  return render(
    <FluentProvider theme={webLightTheme}>
      <I18nProvider locale={locale}>
        <ApiContext.Provider value={api}>
          <GroupsPage />
        </ApiContext.Provider>
      </I18nProvider>
    </FluentProvider>,
  );
}

const EXO = "exo-2";
const support: GroupView = {
  id: "g-support",
  displayName: "Support – Exchange Online (Plan 2)",
  plans: [{ skuId: EXO, name: "Exchange Online (Plan 2)", appsOff: ["Microsoft Bookings"] }],
  members: 3,
  inError: 1,
  pending: 0,
  errors: [{ code: "CountViolation", count: 1 }],
  membershipRule: null,
  processing: false,
};
const finance: GroupView = {
  ...support,
  id: "g-fin",
  displayName: "Finance – Power BI Pro (dynamic)",
  plans: [{ skuId: "pbi", name: "Power BI Pro", appsOff: [] }],
  members: 2,
  inError: 0,
  errors: [],
  membershipRule: '(user.department -eq "Finance")',
};

const detail: GroupDetail = { group: support };
const members: MemberStanding[] = [
  { userId: "u1", userPrincipalName: "ana@contoso.com", displayName: "Ana", usageLocation: "NL", plans: [[EXO, { state: "error", error: "CountViolation" }]] },
  { userId: "u2", userPrincipalName: "bo@contoso.com", displayName: "Bo", usageLocation: "NL", plans: [[EXO, { state: "active" }]] },
  { userId: "u3", userPrincipalName: "cas@contoso.com", displayName: "Cas", usageLocation: null, plans: [[EXO, { state: "pending" }]] },
];

/// The Rust side's paging, as far as these tests need it: only errors, and who comes first.
const pageOf = (all: MemberStanding[]): Api["groupMembersPage"] => (query, offset, limit) => {
  const inError = (m: MemberStanding) => m.plans.some(([, s]) => s.state === "error");
  const kept = all.filter((m) => query.first.includes(m.userId) || !query.onlyErrors || inError(m));
  return Promise.resolve({ total: all.length, matching: kept.length, rows: kept.slice(offset, offset + limit) });
};

const preview: PlanPreview = {
  plan: {
    people: [
      {
        userId: "u2",
        userPrincipalName: "bo@contoso.com",
        displayName: "Bo",
        action: "membership",
        setUsageLocation: null,
        add: [],
        remove: [],
        reason: null,
        joinGroups: [],
        leaveGroups: [{ id: "g-support", displayName: support.displayName, skuIds: [EXO], dynamic: false }],
      },
    ],
    seats: [{ skuId: EXO, skuPartNumber: "EXCHANGEENTERPRISE", freeBefore: 0, taken: 0, freed: 1, freeAfter: 1, shortfall: 0 }],
  },
  planNames: { [EXO]: "Exchange Online (Plan 2)" },
  groupNames: {},
  leftAlone: [],
  approval: null,
  appSwitches: {},
  usageLocationsBefore: {},
};

describe("GroupsPage", () => {
  it("lists each license group with its plans, apps off, members and errors in words; a dynamic group says its rule", async () => {
    renderPage(fakeApi(() => Promise.resolve([plan({})]), undefined, { groupsList: () => Promise.resolve([support, finance]) }));
    const cards = await screen.findAllByTestId("group-card");
    expect(cards).toHaveLength(2);
    const first = within(cards[0]!);
    expect(first.getByText(/Exchange Online \(Plan 2\) \(apps off: Microsoft Bookings\)/)).toBeTruthy();
    expect(first.getByTestId("group-members").textContent).toBe("3 members");
    expect(first.getByTestId("group-in-error").textContent).toBe("1 in error");
    expect(first.getByText("1 × no seat was left for this person")).toBeTruthy();
    expect(within(cards[1]!).getByText(/Members follow a rule: \(user.department -eq "Finance"\)/)).toBeTruthy();
  });

  it("opens a group on its people in error with why and the fix, reprocesses only those chosen, and reviews removing someone", async () => {
    const groupsReprocess = vi.fn(() => Promise.resolve({ reprocessed: 1, failed: [] }));
    const groupsPlanMembership = vi.fn(() => Promise.resolve(preview));
    const user = userEvent.setup();
    renderPage(
      fakeApi(() => Promise.resolve([plan({})]), undefined, {
        groupsList: () => Promise.resolve([support]),
        groupDetail: () => Promise.resolve(detail),
        groupMembersPage: pageOf(members),
        groupsReprocess,
        groupsPlanMembership,
      }),
    );
    await user.click(await screen.findByRole("button", { name: `Open ${support.displayName}` }));
    // Only the people in error at first.
    const rows = await screen.findAllByTestId("group-member");
    expect(rows).toHaveLength(1);
    expect(within(rows[0]!).getByText("Why: no seat was left for this person")).toBeTruthy();
    expect(within(rows[0]!).getByText(/Fix: free a seat/)).toBeTruthy();
    expect((screen.getByTestId("group-reprocess") as HTMLButtonElement).disabled).toBe(true);

    await user.click(screen.getByRole("checkbox", { name: "Select Ana" }));
    await user.click(screen.getByTestId("group-reprocess"));
    expect(groupsReprocess).toHaveBeenCalledWith(["u1"]);
    expect((await screen.findByTestId("group-reprocessed")).textContent).toMatch(/try again for 1 person/);

    // Everyone: Bo has it, Cas waits for Microsoft.
    await user.click(screen.getByTestId("group-only-errors"));
    await waitFor(() => expect(screen.getAllByTestId("group-member")).toHaveLength(3));
    expect(screen.getByText("Waiting for Microsoft")).toBeTruthy();
    await user.click(screen.getByRole("checkbox", { name: "Select Bo" }));
    await user.click(screen.getByTestId("group-remove"));
    expect(groupsPlanMembership).toHaveBeenCalledWith("g-support", ["u2"], false);
    const review = await screen.findByTestId("review");
    expect(within(review).getByText(/Leaves “Support – Exchange Online \(Plan 2\)”: loses Exchange Online \(Plan 2\)/)).toBeTruthy();
    expect(within(review).getByTestId("review-counts").textContent).toBe("1 leaves a group");
  });

  it("does not offer adding or removing members of a dynamic group", async () => {
    const user = userEvent.setup();
    renderPage(
      fakeApi(() => Promise.resolve([plan({})]), undefined, {
        groupsList: () => Promise.resolve([finance]),
        groupDetail: () => Promise.resolve({ group: finance }),
        groupMembersPage: pageOf([]),
      }),
    );
    await user.click(await screen.findByRole("button", { name: `Open ${finance.displayName}` }));
    await screen.findByText("This group has no members yet.");
    expect((screen.getByTestId("group-add") as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId("group-remove") as HTMLButtonElement).disabled).toBe(true);
  });

  it("lists doubles, says no seat is freed, and reviews taking away the chosen direct copies", async () => {
    const doublesPlan = vi.fn(() => Promise.reject({ code: "doubles.nothing", message: "Choose at least one person who still holds a plan both directly and from a group." }));
    const user = userEvent.setup();
    renderPage(
      fakeApi(() => Promise.resolve([plan({})]), undefined, {
        doublesScan: () =>
          Promise.resolve([
            { key: "u1|e3", userId: "u1", userPrincipalName: "ana@contoso.com", displayName: "Ana", skuId: "e3", planName: "Microsoft 365 E3", groupNames: ["Sales – Microsoft 365 E3"] },
            { key: "u2|e3", userId: "u2", userPrincipalName: "bo@contoso.com", displayName: "Bo", skuId: "e3", planName: "Microsoft 365 E3", groupNames: ["Sales – Microsoft 365 E3"] },
          ]),
        doublesPlan,
      }),
    );
    await user.click(await screen.findByTestId("groups-doubles"));
    expect(await screen.findAllByTestId("double-row")).toHaveLength(2);
    expect(screen.getByText(/No seat is freed/)).toBeTruthy();
    await user.click(screen.getByRole("checkbox", { name: "Select Bo — Microsoft 365 E3" }));
    await user.click(screen.getByTestId("doubles-review"));
    expect(doublesPlan).toHaveBeenCalledWith(["u1|e3"]);
    expect(await screen.findByText(/Choose at least one person/)).toBeTruthy();
  });
});
