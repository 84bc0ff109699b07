import { describe, expect, it, vi } from "vitest";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { ApiContext, type Api } from "../../api";
import { I18nProvider } from "../../i18n";
import type { Kept } from "../../bindings/Kept";
import { PlansPage } from "./PlansPage";
import { fakeApi, noKept, plan } from "../../test/fixtures";

function renderPage(api: Api, locale = "en-US") {
  return render(
    <FluentProvider theme={webLightTheme}>
      <I18nProvider locale={locale}>
        <ApiContext.Provider value={api}>
          <PlansPage tenantName="Contoso" />
        </ApiContext.Provider>
      </I18nProvider>
    </FluentProvider>,
  );
}

const e3 = plan({});
const priced: Kept = { ...noKept, prices: { currency: "EUR", cents: { SPE_E3: 3375 } }, thresholds: { SPE_E3: { kind: "seats", value: 5 } } };
const cost = { skuId: e3.skuId, skuPartNumber: "SPE_E3", assigned: 148, unassigned: 2, monthlyCents: 3375 * 150, unassignedCents: 3375 * 2 };

describe("The money side of the Plans page", () => {
  it("shows each plan's monthly cost, what its unassigned seats cost, and a plan under its warning level", async () => {
    renderPage(fakeApi(() => Promise.resolve([e3]), undefined, { kept: () => Promise.resolve(priced), planCosts: () => Promise.resolve([cost]) }));
    const card = (await screen.findAllByTestId("plan-card"))[0]!;
    expect((await within(card).findByTestId("plan-monthly-cost")).textContent).toBe("€5,062.50 a month");
    expect(within(card).getByTestId("plan-unassigned-cost").textContent).toBe("2 seats nobody has: €67.50 a month");
    expect(within(card).getByTestId("plan-under-threshold").textContent).toContain("(5 free)");
    expect(screen.getByTestId("plans-costs-total").textContent).toContain("€5,062.50 a month");
  });

  it("takes a typed price only when it is one, and saves it in cents with the warning level", async () => {
    const setPrice = vi.fn(() => Promise.resolve(priced));
    const setThreshold = vi.fn(() => Promise.resolve(priced));
    renderPage(fakeApi(() => Promise.resolve([e3]), undefined, { kept: () => Promise.resolve(noKept), setPrice, setThreshold }));
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Microsoft 365 E3: price and warning" }));
    const price = await screen.findByTestId("price-input");
    await user.type(price, "twelve");
    expect(screen.getByText("Type a price such as 33.75 (at most two decimals).")).toBeTruthy();
    expect(screen.getByTestId("price-save").hasAttribute("disabled")).toBe(true);
    await user.clear(price);
    await user.type(price, "33,75");
    await user.type(screen.getByTestId("threshold-input"), "10%");
    await user.click(screen.getByTestId("price-save"));
    expect(setPrice).toHaveBeenCalledWith("SPE_E3", 3375, "EUR");
    expect(setThreshold).toHaveBeenCalledWith("SPE_E3", "10%");
  });
});
