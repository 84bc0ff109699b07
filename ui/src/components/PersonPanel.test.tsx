import { describe, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ApiContext, type Api } from "../api";
import { I18nProvider } from "../i18n";
import type { PersonDetail } from "../bindings/PersonDetail";
import { fakeApi } from "../test/fixtures";
import { PersonPanel } from "./PersonPanel";

const E3 = "05e9a617-0261-4cee-bb44-138d3ef5d965";
const BI = "f8a1db68-be16-40ed-86d5-cb42ce701560";

function person(teamsOn: boolean): PersonDetail {
  return {
    row: { id: "u1", displayName: "Ana de Vries", userPrincipalName: "ana@contoso.com", department: "Sales", usageLocation: "NL", accountEnabled: true, licenses: [] },
    licenses: [
      {
        skuId: E3,
        name: "Microsoft 365 E3",
        partNumber: "SPE_E3",
        groupId: null,
        groupName: null,
        error: null,
        servicePlans: [
          { id: "teams", name: "TEAMS1", status: "Success", enabled: teamsOn },
          { id: "exo", name: "EXCHANGE_S_ENTERPRISE", status: "Success", enabled: true },
          { id: "sway", name: "SWAY", status: "Success", enabled: false },
        ],
      },
      {
        skuId: BI,
        name: "Power BI Pro",
        partNumber: "POWER_BI_PRO",
        groupId: "g1",
        groupName: "BI users",
        error: null,
        servicePlans: [{ id: "bi", name: "BI_AZURE_P2", status: "Success", enabled: true }],
      },
    ],
  };
}

describe("The person panel", () => {
  it("switches one app of a direct license and keeps the other apps as they were", async () => {
    const user = userEvent.setup();
    const setApps = vi.fn<Api["setApps"]>(() => Promise.resolve(person(false)));
    const api = fakeApi(() => Promise.resolve([]), undefined, { person: () => Promise.resolve(person(true)), setApps });
    render(
      <ApiContext.Provider value={api}>
        <I18nProvider locale="en">
          <PersonPanel id="u1" generation={0} onClose={() => undefined} onChange={() => undefined} />
        </I18nProvider>
      </ApiContext.Provider>,
    );
    await user.click(await screen.findByText("Apps (2/3)"));
    await user.click(screen.getByTestId("app-TEAMS1"));
    // Teams goes off; SWAY stays off, Exchange stays on; the group's license is not touched.
    expect(setApps).toHaveBeenCalledWith("u1", E3, ["teams", "sway"]);
    expect(await screen.findByText("Apps (1/3)")).toBeTruthy();
    expect((screen.getByTestId("app-BI_AZURE_P2") as HTMLInputElement).disabled).toBe(true);
    expect(screen.getByTestId("group-hint").textContent).toContain("BI users");
  });
});
