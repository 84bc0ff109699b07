import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { I18nProvider } from "../../i18n";
import { PlanCard } from "./PlanCard";
import { plan } from "../../test/fixtures";
import type { SkuSummary } from "../../bindings/SkuSummary";

function renderCard(p: SkuSummary) {
  return render(
    <FluentProvider theme={webLightTheme}>
      <I18nProvider locale="en">
        <PlanCard plan={p} />
      </I18nProvider>
    </FluentProvider>,
  );
}

describe("PlanCard", () => {
  it("warns when no seat is left", () => {
    renderCard(plan({ consumed: 150, free: 0, freeWithGrace: 0 }));
    expect(screen.getByTestId("plan-note-none").textContent).toContain("No seats left");
  });

  it("warns when a plan is almost full, but not when it has room", () => {
    renderCard(plan({ enabled: 94, consumed: 92, free: 2, freeWithGrace: 2 }));
    expect(screen.getByTestId("plan-note-low").textContent).toBe("Almost full: only 2 left.");
    expect(screen.getByRole("progressbar").getAttribute("aria-valuenow")).not.toBeNull();
    renderCard(plan({ skuId: "roomy", enabled: 100, consumed: 50, free: 50, freeWithGrace: 50 }));
    expect(screen.getAllByTestId("plan-card")[1]!.querySelector("[data-testid=plan-note-low]")).toBeNull();
  });

  it("counts assignments beyond what is paid for", () => {
    renderCard(plan({ enabled: 10, consumed: 14, free: 0, freeWithGrace: 0 }));
    expect(screen.getByTestId("plan-note-over").textContent).toContain("4 more assigned than paid for");
  });

  it("marks organisation-wide and suspended plans as not for people", () => {
    renderCard(plan({ appliesTo: "Company", assignable: false, free: 0, freeWithGrace: 0 }));
    expect(screen.getByTestId("plan-note-company")).toBeTruthy();
    expect(screen.getByTestId("plan-unavailable").textContent).toBe("150 for the whole organisation");
    expect(screen.queryByRole("progressbar")).toBeNull();
    renderCard(
      plan({
        skuId: "x",
        capabilityStatus: "Suspended",
        enabled: 0,
        suspended: 10,
        consumed: 6,
        assignable: false,
        free: 0,
        freeWithGrace: 0,
      }),
    );
    expect(screen.getByTestId("plan-note-blocked")).toBeTruthy();
    expect(screen.getAllByTestId("plan-status")[1]!.textContent).toBe("Suspended");
    expect(screen.getAllByTestId("plan-unavailable")[1]!.textContent).toBe("None available");
  });

  it("shows cancelled units under their own label", () => {
    renderCard(
      plan({ capabilityStatus: "LockedOut", enabled: 0, lockedOut: 20, consumed: 0, assignable: false, free: 0, freeWithGrace: 0 }),
    );
    expect(screen.getAllByText("Cancelled").length).toBeGreaterThanOrEqual(2);
    expect(screen.getByTestId("plan-suspended").textContent).toBe("20");
  });
});
