import { describe, expect, it } from "vitest";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ApiContext } from "../../api";
import { I18nProvider } from "../../i18n";
import type { PersonDetail } from "../../bindings/PersonDetail";
import type { PlanPreview } from "../../bindings/PlanPreview";
import type { UserRow } from "../../bindings/UserRow";
import { fakeApi, plan } from "../../test/fixtures";
import { UsersPage } from "./UsersPage";

const E3 = "05e9a617-0261-4cee-bb44-138d3ef5d965";

function row(id: string, name: string): UserRow {
  return { id, displayName: name, userPrincipalName: `${id}@contoso.com`, department: "Sales", usageLocation: "NL", accountEnabled: true, licenses: [] };
}

const rows = [row("ana", "Ana de Vries"), row("bo", "Bo Jansen")];

function preview(id: string): PlanPreview {
  const r = rows.find((x) => x.id === id)!;
  return {
    plan: {
      people: [{ userId: id, userPrincipalName: r.userPrincipalName, displayName: r.displayName, action: "add", setUsageLocation: null, add: [{ skuId: E3, disabledPlans: [] }], remove: [], reason: null, joinGroups: [], leaveGroups: [] }],
      seats: [{ skuId: E3, skuPartNumber: "SPE_E3", freeBefore: 5, taken: 1, freed: 0, freeAfter: 4, shortfall: 0 }],
    },
    planNames: { [E3]: "Microsoft 365 E3" },
    groupNames: {},
    leftAlone: [],
    approval: null,
    appSwitches: {},
    usageLocationsBefore: {},
  };
}

describe("The Users page", () => {
  it("says what the last change did only on the panel of the person it was for", async () => {
    const user = userEvent.setup();
    const api = fakeApi(() => Promise.resolve([plan({ free: 5, enabled: 10, consumed: 5 })]), undefined, {
      usersPage: (_query, offset) =>
        Promise.resolve({
          total: 2,
          matching: 2,
          offset,
          rows,
          counts: { unlicensed: 2, noUsageLocation: 0, licenseErrors: 0, departments: [], usageLocations: [], plans: [] },
          loading: false,
        }),
      person: (id): Promise<PersonDetail> => Promise.resolve({ row: rows.find((r) => r.id === id)!, licenses: [] }),
      planChange: (ids) => Promise.resolve(preview(ids[0]!)),
      applyPlan: () =>
        Promise.resolve({ runId: "r1", lines: [], planNames: {}, groupNames: {}, done: 1, failed: 0, skipped: 0, notSent: 0, cancelled: false }),
    });
    render(
      <ApiContext.Provider value={api}>
        <I18nProvider locale="en">
          <UsersPage tenantName="Contoso" />
        </I18nProvider>
      </ApiContext.Provider>,
    );
    await user.click(await screen.findByText("Ana de Vries"));
    await user.click(await screen.findByTestId("person-give"));
    await user.click(await screen.findByTestId("change-plan"));
    await user.click(await screen.findByRole("option", { name: /Microsoft 365 E3/ }));
    await user.click(screen.getByTestId("change-review"));
    await user.click(await screen.findByTestId("review-apply"));
    await user.click(await screen.findByTestId("result-close"));
    // Ana's panel says what was done…
    expect((await screen.findByTestId("person-notice")).textContent).toContain("Give a license");
    // …Bo's does not.
    await user.click(screen.getByText("Bo Jansen"));
    await waitFor(() => expect(screen.getByTestId("person-name").textContent).toBe("Bo Jansen"));
    expect(screen.queryByTestId("person-notice")).toBeNull();
  });
});
