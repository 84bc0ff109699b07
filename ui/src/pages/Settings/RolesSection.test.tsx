import { describe, expect, it, vi } from "vitest";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { ApiContext, type Api } from "../../api";
import { I18nProvider } from "../../i18n";
import type { RoleChoices } from "../../bindings/RoleChoices";
import type { RolesFile } from "../../bindings/RolesFile";
import { RolesSection } from "./RolesSection";
import { fakeApi, plan } from "../../test/fixtures";

function renderSection(api: Api, locale = "en-US") {
  return render(
    <FluentProvider theme={webLightTheme}>
      <I18nProvider locale={locale}>
        <ApiContext.Provider value={api}>
          <RolesSection className="" />
        </ApiContext.Provider>
      </I18nProvider>
    </FluentProvider>,
  );
}

const choices: RoleChoices = {
  plans: [
    {
      skuId: "e3",
      partNumber: "SPE_E3",
      name: "Microsoft 365 E3",
      apps: [
        { technicalName: "SWAY", name: "Sway" },
        { technicalName: "TEAMS1", name: "Microsoft Teams" },
      ],
    },
  ],
  groups: [{ key: "Sales – Microsoft 365 E3", displayName: "Sales – Microsoft 365 E3" }],
};

describe("RolesSection", () => {
  it("shows what each role gives with friendly names, and a broken role with what to fix", async () => {
    renderSection(
      fakeApi(() => Promise.resolve([plan({})]), undefined, {
        rolesChoices: () => Promise.resolve(choices),
        rolesGet: () =>
          Promise.resolve({
            roles: [
              { role: { name: "Sales", plans: [{ sku: "SPE_E3", disabledPlans: ["SWAY"] }], groups: [] }, problems: [] },
              {
                role: { name: "Old", plans: [{ sku: "STANDARDPACK", disabledPlans: [] }], groups: [] },
                problems: [{ role: "Old", entry: "plan 1 (STANDARDPACK)", problem: "the tenant has no plan STANDARDPACK; choose another plan for the role" }],
              },
            ],
          }),
      }),
    );
    const roles = await screen.findAllByTestId("role");
    expect(within(roles[0]!).getByText("Gives Microsoft 365 E3 without Sway")).toBeTruthy();
    expect(within(roles[1]!).getByText(/Broken/)).toBeTruthy();
    expect(within(roles[1]!).getByText(/plan 1 \(STANDARDPACK\): the tenant has no plan/)).toBeTruthy();
  });

  it("makes a role from the tenant's plans and apps and saves it by part number and app name; refuses a nameless one", async () => {
    const rolesSave = vi.fn((file: RolesFile) => Promise.resolve({ roles: file.roles.map((role) => ({ role, problems: [] })) }));
    const user = userEvent.setup();
    renderSection(fakeApi(() => Promise.resolve([plan({})]), undefined, { rolesChoices: () => Promise.resolve(choices), rolesSave }));
    await user.click(await screen.findByTestId("role-new"));
    await user.click(screen.getByTestId("role-add-plan"));
    await user.click(screen.getByTestId("role-plan"));
    await user.click(await screen.findByRole("option", { name: "Microsoft 365 E3" }));
    await user.click(screen.getByText(/Apps switched off in Microsoft 365 E3/));
    await user.click(screen.getByTestId("role-app-SWAY"));
    await user.click(screen.getByTestId("role-save"));
    expect(screen.getByText("Give the role a name.")).toBeTruthy();
    expect(screen.queryByTestId("role-problem")).toBeNull();
    expect(rolesSave).not.toHaveBeenCalled();

    await user.type(screen.getByTestId("role-name"), "  Sales ");
    await user.click(screen.getByTestId("role-save"));
    expect(rolesSave).toHaveBeenCalledWith({ roles: [{ name: "Sales", plans: [{ sku: "SPE_E3", disabledPlans: ["SWAY"] }], groups: [] }] });
    expect(await screen.findByText("Gives Microsoft 365 E3 without Sway")).toBeTruthy();
  });

  it("shows why an imported file was refused, and keeps the roles as they were", async () => {
    const user = userEvent.setup();
    renderSection(
      fakeApi(() => Promise.resolve([plan({})]), undefined, {
        rolesChoices: () => Promise.resolve(choices),
        rolesImport: () =>
          Promise.reject({
            code: "roles.file",
            message: "team-roles.json was not imported (the roles stay as they were):\n• role “Sales”, app NOPE in SPE_E3: SPE_E3 has no app (service plan) NOPE",
            details: null,
            values: { file: "team-roles.json" },
          }),
      }),
    );
    await user.click(await screen.findByTestId("roles-import"));
    expect(await screen.findByText(/team-roles.json was not imported/)).toBeTruthy();
    expect(screen.getByText("No roles yet.")).toBeTruthy();
  });
});
