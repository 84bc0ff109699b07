import { describe, expect, it, vi } from "vitest";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { ApiContext, type Api } from "../../api";
import { I18nProvider } from "../../i18n";
import { PlansPage } from "./PlansPage";
import { fakeApi, plan } from "../../test/fixtures";

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

const plans = [
  plan({}),
  plan({
    skuId: "f8a1db68-be16-40ed-86d5-cb42ce701560",
    skuPartNumber: "POWER_BI_PRO",
    displayName: "Power BI Pro",
    capabilityStatus: "Warning",
    enabled: 25,
    warning: 10,
    consumed: 28,
    free: 0,
    freeWithGrace: 7,
  }),
];

describe("PlansPage", () => {
  it("shows a spinner, then one card per plan with seats in words", async () => {
    let resolve: (v: typeof plans) => void = () => undefined;
    renderPage(fakeApi(() => new Promise((r) => (resolve = r))));
    expect(screen.getByTestId("plans-loading")).toBeTruthy();

    resolve(plans);
    const cards = await screen.findAllByTestId("plan-card");
    expect(cards).toHaveLength(2);
    const e3 = cards[0]!;
    expect(within(e3).getByTestId("plan-name").textContent).toBe("Microsoft 365 E3");
    expect(within(e3).getByTestId("plan-free").textContent).toBe("2");
    expect(within(e3).getByText("of 150 available")).toBeTruthy();
    expect(within(e3).getByRole("group", { name: "2 of 150 available" })).toBeTruthy();
    expect(within(e3).getByTestId("plan-consumed").textContent).toBe("148");
    expect(within(e3).getByTestId("plan-status").textContent).toBe("Active");
    expect(within(e3).getByRole("progressbar", { name: "148 of 150 seats assigned" })).toBeTruthy();
    expect(screen.getByTestId("plans-subtitle").textContent).toContain("2 products in Contoso");

    const bi = cards[1]!;
    expect(within(bi).getByTestId("plan-status").textContent).toBe("In grace period");
    expect(within(bi).getByTestId("plan-note-grace").textContent).toContain("7 more");
  });

  it("says so when the tenant has no plans", async () => {
    renderPage(fakeApi(() => Promise.resolve([])));
    expect(await screen.findByTestId("plans-empty")).toBeTruthy();
    expect(screen.getByText("This organisation has no license plans")).toBeTruthy();
    expect(screen.queryByTestId("plan-card")).toBeNull();
  });

  it("explains a failure, shows details on request and retries", async () => {
    const listPlans = vi
      .fn<Api["listPlans"]>()
      .mockRejectedValueOnce({
        code: "graph.forbidden",
        message: "Your account may not read licenses.",
        details: "HTTP 403 Authorization_RequestDenied",
      })
      .mockResolvedValueOnce(plans);
    renderPage(fakeApi(listPlans));
    const error = await screen.findByTestId("error-state");
    expect(error.textContent).toContain("Your account may not read licenses.");
    expect(screen.queryByTestId("error-details")).toBeNull();

    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Details" }));
    expect(screen.getByTestId("error-details").textContent).toContain("HTTP 403");

    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findAllByTestId("plan-card")).toHaveLength(2);
    expect(listPlans).toHaveBeenCalledTimes(2);
  });

  it("filters by name or part number from the keyboard", async () => {
    renderPage(fakeApi(() => Promise.resolve(plans)));
    await screen.findAllByTestId("plan-card");
    const user = userEvent.setup();
    await user.type(screen.getByRole("searchbox", { name: "Search products" }), "power_bi");
    const cards = screen.getAllByTestId("plan-card");
    expect(cards).toHaveLength(1);
    expect(cards[0]!.getAttribute("data-sku-part")).toBe("POWER_BI_PRO");

    await user.clear(screen.getByRole("searchbox", { name: "Search products" }));
    await user.type(screen.getByRole("searchbox", { name: "Search products" }), "visio");
    expect(screen.getByTestId("plans-no-match").textContent).toContain("visio");
  });

  it("speaks Dutch with Dutch number formatting", async () => {
    renderPage(fakeApi(() => Promise.resolve([plan({ enabled: 12500, consumed: 10000, free: 2500, freeWithGrace: 2500 })])), "nl-NL");
    const card = await screen.findByTestId("plan-card");
    expect(within(card).getByTestId("plan-free").textContent).toBe("2.500");
    expect(within(card).getByText("van 12.500 beschikbaar")).toBeTruthy();
    expect(within(card).getByTestId("plan-status").textContent).toBe("Actief");
    expect(screen.getByRole("heading", { level: 1 }).textContent).toBe("Licentieabonnementen");
  });
});
