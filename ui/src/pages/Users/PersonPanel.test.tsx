import { describe, expect, it, vi } from "vitest";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ApiContext, type Api } from "../../api";
import { I18nProvider } from "../../i18n";
import type { PersonDetail } from "../../bindings/PersonDetail";
import { fakeApi } from "../../test/fixtures";
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
          { id: "teams", name: "Microsoft Teams", technicalName: "TEAMS1", status: "Success", enabled: teamsOn },
          { id: "exo", name: "Exchange Online (Plan 2)", technicalName: "EXCHANGE_S_ENTERPRISE", status: "Success", enabled: true },
          { id: "sway", name: "Sway", technicalName: "SWAY", status: "Success", enabled: false },
        ],
      },
      {
        skuId: BI,
        name: "Power BI Pro",
        partNumber: "POWER_BI_PRO",
        groupId: "g1",
        groupName: "BI users",
        error: null,
        servicePlans: [{ id: "bi", name: "Power BI Pro", technicalName: "BI_AZURE_P2", status: "Success", enabled: true }],
      },
    ],
  };
}

describe("The person panel", () => {
  it("turns app switches into a change to review: nothing is sent from the panel", async () => {
    const user = userEvent.setup();
    const person_ = vi.fn<Api["person"]>(() => Promise.resolve(person(true)));
    const onChange = vi.fn();
    const api = fakeApi(() => Promise.resolve([]), undefined, { person: person_ });
    render(
      <ApiContext.Provider value={api}>
        <I18nProvider locale="en">
          <PersonPanel id="u1" generation={0} onClose={() => undefined} onChange={onChange} />
        </I18nProvider>
      </ApiContext.Provider>,
    );
    await user.click(await screen.findByText("Apps (2/3)"));
    // Apps by their friendly names, Microsoft's own name one hover away.
    expect(screen.getByText("Exchange Online (Plan 2)").textContent).toContain("EXCHANGE_S_ENTERPRISE");
    expect(screen.queryByTestId("apps-pending")).toBeNull();
    // Two switches: Teams off, Sway on. Each says what it will be; nothing is sent.
    await user.click(screen.getByTestId("app-TEAMS1"));
    await user.click(screen.getByTestId("app-SWAY"));
    expect(screen.getByTestId("apps-pending").textContent).toContain("2 apps are switched here but nothing has changed yet");
    expect(screen.getByTestId("app-TEAMS1").getAttribute("aria-label")).toBe("Microsoft Teams: will be off (Success)");
    expect((screen.getByTestId("app-TEAMS1") as HTMLInputElement).checked).toBe(false);
    expect((screen.getByTestId("app-SWAY") as HTMLInputElement).checked).toBe(true);
    expect(person_).toHaveBeenCalledTimes(1);
    await user.click(screen.getByTestId("apps-review"));
    // One change for both switches: Teams off, Exchange on, Sway on.
    expect(onChange).toHaveBeenCalledWith("apps", undefined, [{ skuId: E3, disabledPlans: ["teams"] }], "Ana de Vries");
    // The group's license cannot be switched here.
    expect((screen.getByTestId("app-BI_AZURE_P2") as HTMLInputElement).disabled).toBe(true);
    expect(screen.getByTestId("group-hint").textContent).toContain("BI users");

    // Discard puts the switches back as they are in the tenant.
    await user.click(screen.getByTestId("apps-discard"));
    expect(screen.queryByTestId("apps-pending")).toBeNull();
    expect((screen.getByTestId("app-TEAMS1") as HTMLInputElement).checked).toBe(true);
  });

  it("takes the focus when it opens and closes with Escape", async () => {
    const user = userEvent.setup();
    const onClose = vi.fn();
    const api = fakeApi(() => Promise.resolve([]), undefined, { person: () => Promise.resolve(person(true)) });
    render(
      <ApiContext.Provider value={api}>
        <I18nProvider locale="en">
          <PersonPanel id="u1" generation={0} onClose={onClose} onChange={() => undefined} />
        </I18nProvider>
      </ApiContext.Provider>,
    );
    const name = await screen.findByTestId("person-name");
    await waitFor(() => expect(name.textContent).toBe("Ana de Vries"));
    await waitFor(() => expect(document.activeElement).toBe(name));
    await user.keyboard("{Escape}");
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});
