import { describe, expect, it, vi } from "vitest";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ApiContext, type Api } from "../api";
import { I18nProvider } from "../i18n";
import type { PlanPreview } from "../bindings/PlanPreview";
import type { RunResult } from "../bindings/RunResult";
import { fakeApi, plan } from "../test/fixtures";
import { ChangeFlow } from "./ChangeFlow";

const TEAMS = "3b555118-da6a-4418-894f-7df1e2096870";

function preview(locationSet: boolean): PlanPreview {
  return {
    plan: {
      people: [
        {
          userId: "u1",
          userPrincipalName: "ana@contoso.com",
          displayName: "Ana de Vries",
          action: locationSet ? "add" : "blocked",
          setUsageLocation: locationSet ? "NL" : null,
          add: locationSet ? [{ skuId: TEAMS, disabledPlans: [] }] : [],
          remove: [],
          reason: locationSet ? null : { code: "noUsageLocation" },
          joinGroups: [],
          leaveGroups: [],
        },
      ],
      seats: [{ skuId: TEAMS, skuPartNumber: "Teams_Ess", freeBefore: 25, taken: locationSet ? 1 : 0, freed: 0, freeAfter: locationSet ? 24 : 25, shortfall: 0 }],
    },
    planNames: { [TEAMS]: "Microsoft Teams Essentials" },
    groupNames: {},
    leftAlone: [],
    approval: null,
    appSwitches: {}, usageLocationsBefore: {},
  };
}

function setup(overrides: Partial<Api>, locale: "en" | "nl" = "en") {
  const api = fakeApi(() => Promise.resolve([plan({ skuId: TEAMS, skuPartNumber: "Teams_Ess", displayName: "Microsoft Teams Essentials", free: 25, enabled: 25, consumed: 0 })]), undefined, {
    countries: () => Promise.resolve([{ code: "NL", englishName: "Netherlands" }, { code: "DE", englishName: "Germany" }]),
    ...overrides,
  });
  const onClose = vi.fn();
  render(
    <ApiContext.Provider value={api}>
      <I18nProvider locale={locale}>
        <ChangeFlow ids={["u1"]} kind="give" onClose={onClose} />
      </I18nProvider>
    </ApiContext.Provider>,
  );
  return { onClose };
}

describe("Giving a license", () => {
  it("reviews first, fixes a missing usage location in place, applies, and shows the result", async () => {
    const user = userEvent.setup();
    const planChange = vi.fn<Api["planChange"]>((_, change) =>
      Promise.resolve(preview(change.usageLocation !== null)),
    );
    const done: RunResult = {
      runId: "3f2a1b9c",
      lines: [{ userId: "u1", userPrincipalName: "ana@contoso.com", displayName: "Ana de Vries", action: "add", setUsageLocation: "NL", add: ["Microsoft Teams Essentials"], remove: [], status: "done", reason: null, failure: null, message: null, details: null }],
      planNames: {},
      groupNames: {},
      done: 1,
      failed: 0,
      skipped: 0,
      notSent: 0,
      cancelled: false,
    };
    const applyPlan = vi.fn<Api["applyPlan"]>((onProgress) => {
      onProgress({ total: 1, done: 1, failed: 0, perSecond: 1, secondsLeft: 0, paused: false });
      return Promise.resolve(done);
    });
    const { onClose } = setup({ planChange, applyPlan });

    await user.click(await screen.findByTestId("change-plan"));
    await user.click(await screen.findByRole("option", { name: /Microsoft Teams Essentials/ }));
    await user.click(screen.getByTestId("change-review"));

    // Nothing has changed yet; the blocker is explained and fixable in place.
    expect(await screen.findByText("Review: nothing has changed yet")).toBeTruthy();
    expect(screen.getByTestId("review-counts").textContent).toContain("1 not changed");
    const fix = screen.getByTestId("fix-location");
    await user.type(within(fix).getByRole("combobox"), "Nether");
    await user.click(await screen.findByRole("option", { name: /Netherlands \(NL\)/ }));
    await user.click(screen.getByTestId("fix-apply"));
    expect(planChange).toHaveBeenLastCalledWith(
      ["u1"],
      expect.objectContaining({ usageLocation: { scope: "whereMissing", country: "NL" } }),
      "nobody",
    );
    expect(await screen.findByText(/Usage location set to Netherlands/)).toBeTruthy();
    expect(screen.getByTestId("review-confirm").textContent).toContain("24 Microsoft Teams Essentials seats will be left");
    expect(applyPlan).not.toHaveBeenCalled();

    await user.click(screen.getByTestId("review-apply"));
    expect((await screen.findByTestId("result-summary")).textContent).toContain("1 changed");
    await user.click(screen.getByTestId("result-close"));
    expect(onClose).toHaveBeenCalledWith(true);
  });

  it("takes the usage location for people without one in the first step", async () => {
    const user = userEvent.setup();
    const planChange = vi.fn<Api["planChange"]>(() => Promise.resolve(preview(true)));
    setup({ planChange });
    await user.click(await screen.findByTestId("change-plan"));
    await user.click(await screen.findByRole("option", { name: /Microsoft Teams Essentials/ }));
    await user.type(screen.getByTestId("change-country"), "Netherl");
    await user.click(await screen.findByRole("option", { name: /Netherlands \(NL\)/ }));
    await user.click(screen.getByTestId("change-review"));
    expect(await screen.findByText(/Usage location set to Netherlands/)).toBeTruthy();
    expect(planChange).toHaveBeenCalledWith(
      ["u1"],
      expect.objectContaining({ add: [{ skuId: TEAMS, disabledPlans: [] }], usageLocation: { scope: "whereMissing", country: "NL" } }),
      "nobody",
    );
  });

  it("words failures in the UI's language, and Graph's own words only for the unexpected", async () => {
    const user = userEvent.setup();
    const line = { userPrincipalName: "ana@contoso.com", displayName: "Ana de Vries", action: "add" as const, setUsageLocation: null, add: ["Microsoft Teams Essentials"], remove: [], status: "failed" as const, reason: null, details: "Graph: License assignment failed because there are no more licenses." };
    const failed: RunResult = {
      runId: null,
      lines: [
        { ...line, userId: "u1", failure: { code: "noFreeSeat", skuId: TEAMS }, message: "No free Microsoft Teams Essentials seats left: buy seats or choose fewer people." },
        { ...line, userId: "u2", userPrincipalName: "bo@contoso.com", failure: { code: "other" }, message: "Something unexpected: Microsoft 365 said 418." },
      ],
      planNames: { [TEAMS]: "Microsoft Teams Essentials" },
      groupNames: {},
      done: 0,
      failed: 2,
      skipped: 0,
      notSent: 0,
      cancelled: false,
    };
    setup(
      {
        planChange: vi.fn<Api["planChange"]>(() => Promise.resolve(preview(true))),
        applyPlan: vi.fn<Api["applyPlan"]>(() => Promise.resolve(failed)),
      },
      "nl",
    );
    await user.click(await screen.findByTestId("change-plan"));
    await user.click(await screen.findByRole("option", { name: /Microsoft Teams Essentials/ }));
    await user.click(screen.getByTestId("change-review"));
    await user.click(await screen.findByTestId("review-apply"));
    const list = await screen.findByTestId("result-list");
    expect(list.textContent).toContain("Geen vrije Microsoft Teams Essentials-licenties meer");
    expect(list.textContent).not.toContain("No free");
    expect(list.textContent).toContain("Microsoft 365 said 418");
  });

  it("saves the plan for someone else to approve without changing anything", async () => {
    const user = userEvent.setup();
    const planSaveFile = vi.fn<Api["planSaveFile"]>(() =>
      Promise.resolve({ path: "/home/ann/licensedesk-plan.json", fingerprint: "3F2A 91C0 0000 0000 0000 0000 0000 0000", unsignedWhy: null }),
    );
    const applyPlan = vi.fn<Api["applyPlan"]>();
    setup({ planChange: vi.fn<Api["planChange"]>(() => Promise.resolve(preview(true))), planSaveFile, applyPlan });
    await user.click(await screen.findByTestId("change-plan"));
    await user.click(await screen.findByRole("option", { name: /Microsoft Teams Essentials/ }));
    await user.click(screen.getByTestId("change-review"));
    await user.click(await screen.findByRole("button", { name: "Save for approval…" }));
    expect(planSaveFile).toHaveBeenCalledTimes(1);
    const saved = (await screen.findByTestId("plan-saved")).textContent ?? "";
    expect(saved).toContain("Saved to /home/ann/licensedesk-plan.json. Nothing was changed.");
    expect(saved).toContain("signed with your key (fingerprint 3F2A 91C0");
    expect(applyPlan).not.toHaveBeenCalled();
  });
});

describe("The words of a change", () => {
  it("uses plural rules, names the step in focus, and says when nothing changed", async () => {
    const user = userEvent.setup();
    const nothing: RunResult = {
      runId: "3f2a1b9c",
      lines: [{ userId: "u1", userPrincipalName: "ana@contoso.com", displayName: "Ana de Vries", action: "add", setUsageLocation: null, add: ["Microsoft Teams Essentials"], remove: [], status: "skipped", reason: null, failure: null, message: null, details: null }],
      planNames: {},
      groupNames: {},
      done: 0,
      failed: 0,
      skipped: 1,
      notSent: 0,
      cancelled: false,
    };
    const one = preview(true);
    one.plan.seats[0]!.freeAfter = 1;
    one.usageLocationsBefore = { u1: "DE" };
    setup({ planChange: () => Promise.resolve(one), applyPlan: () => Promise.resolve(nothing) });
    // Review is greyed until a license is chosen, and says why.
    expect((await screen.findByTestId("change-why-not")).textContent).toBe("Choose a license first.");
    await user.click(await screen.findByTestId("change-plan"));
    await user.click(await screen.findByRole("option", { name: /Microsoft Teams Essentials/ }));
    expect(screen.queryByTestId("change-why-not")).toBeNull();
    await user.click(screen.getByTestId("change-review"));
    const heading = await screen.findByText("Review: nothing has changed yet");
    // Focus moves to the new step, not back to the top of the page.
    expect(document.activeElement).toBe(heading);
    // "1 gets", not "1 get"; "1 … seat", not "1 … seats"; no "0 swap".
    expect(screen.getByTestId("review-counts").textContent).toBe("1 gets a license");
    expect(screen.getByTestId("review-confirm").textContent).toContain("1 Microsoft Teams Essentials seat will be left.");
    // A usage location that changes says from what.
    expect(screen.getByTestId("review-list").textContent).toContain("Usage location from Germany to Netherlands");
    await user.click(screen.getByTestId("review-apply"));
    // Not "Done" when nobody was changed.
    expect((await screen.findByText("Nothing was changed")).tagName).toBe("H2");
  });

  it("names the person in the give form, and a swap starts without a plan to give", async () => {
    const api = fakeApi(() => Promise.resolve([plan({ skuId: TEAMS, skuPartNumber: "Teams_Ess", displayName: "Microsoft Teams Essentials", free: 25, enabled: 25, consumed: 0 })]));
    render(
      <ApiContext.Provider value={api}>
        <I18nProvider locale="en">
          <ChangeFlow ids={["u1"]} kind="swap" presetSku={TEAMS} personName="Ana de Vries" onClose={() => undefined} />
        </I18nProvider>
      </ApiContext.Provider>,
    );
    expect(await screen.findByText("For Ana de Vries.")).toBeTruthy();
    expect((await screen.findByTestId("change-why-not")).textContent).toContain("Choose the license to give instead");
  });
});

describe("Giving a plan a group already gives", () => {
  it("offers adding the person to the group as the recommended way, and plans that instead", async () => {
    const user = userEvent.setup();
    const groupsGiving = vi.fn(() => Promise.resolve([{ id: "g-sales", displayName: "Sales – Teams", plans: ["Microsoft Teams Essentials"], dynamic: false }]));
    const groupsPlanMembership = vi.fn(() => Promise.reject({ code: "groups.unknown", message: "This group no longer gives licenses, or was deleted." }));
    const planChange = vi.fn(() => Promise.reject(new Error("not this way")));
    setup({ groupsGiving, groupsPlanMembership, planChange });
    await user.click(await screen.findByTestId("change-plan"));
    await user.click(await screen.findByRole("option", { name: /Microsoft Teams Essentials/ }));
    expect(groupsGiving).toHaveBeenCalledWith(TEAMS);
    const offer = await screen.findByTestId("group-offer");
    expect(offer.textContent).toMatch(/The group “Sales – Teams” already gives Microsoft Teams Essentials/);
    await user.click(within(offer).getByRole("button", { name: "Add to “Sales – Teams” instead (recommended)" }));
    expect(groupsPlanMembership).toHaveBeenCalledWith("g-sales", ["u1"], true);
    expect(planChange).not.toHaveBeenCalled();
    expect(await screen.findByText(/no longer gives licenses/)).toBeTruthy();
  });
});

