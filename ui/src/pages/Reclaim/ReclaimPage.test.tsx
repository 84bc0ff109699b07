import { describe, expect, it, vi } from "vitest";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { ApiContext, type Api } from "../../api";
import { I18nProvider } from "../../i18n";
import type { ReclaimRow } from "../../bindings/ReclaimRow";
import type { ReclaimScan } from "../../bindings/ReclaimScan";
import { ReclaimPage } from "./ReclaimPage";
import { fakeApi, noKept, plan } from "../../test/fixtures";

function renderPage(api: Api, locale = "en-US") {
  return render(
    <FluentProvider theme={webLightTheme}>
      <I18nProvider locale={locale}>
        <ApiContext.Provider value={api}>
          <ReclaimPage />
        </ApiContext.Provider>
      </I18nProvider>
    </FluentProvider>,
  );
}

function row(over: Partial<ReclaimRow>): ReclaimRow {
  return {
    key: "u1|e3",
    userId: "u1",
    userPrincipalName: "ana@contoso.com",
    displayName: "Ana de Vries",
    department: "Sales",
    skuId: "e3",
    planName: "Microsoft 365 E3",
    reason: "disabled",
    because: null,
    groupId: null,
    groupName: null,
    coveredByName: null,
    lastSignIn: 1_780_000_000,
    created: 1_700_000_000,
    monthlyCents: 3375,
    ...over,
  };
}

const scan: ReclaimScan = {
  signIns: "available",
  days: 90,
  currency: "EUR",
  exclusions: [],
  rows: [
    row({}),
    row({ key: "u2|e3", userId: "u2", displayName: "Bram Jansen", userPrincipalName: "bram@contoso.com", reason: "inactive" }),
    row({ key: "u3|o365", userId: "u3", displayName: "Chloé Dubois", userPrincipalName: "chloe@contoso.com", planName: "Office 365 E3", reason: "redundant", coveredByName: "Microsoft 365 E3", monthlyCents: null }),
    row({ key: "u4|e3", userId: "u4", displayName: "Daan Bakker", userPrincipalName: "daan@contoso.com", reason: "fromGroup", because: "neverSignedIn", groupId: "g-sales", groupName: "Sales – E3", lastSignIn: null }),
  ],
};

describe("ReclaimPage", () => {
  it("lists why each license looks wasted, chooses all that can be taken back, and reviews exactly those", async () => {
    const reclaimPlan = vi.fn(() => Promise.reject(new Error("stop here")));
    const reclaimScan = vi.fn(() => Promise.resolve(scan));
    renderPage(fakeApi(() => Promise.resolve([plan({})]), undefined, { reclaimScan, reclaimPlan }));
    const rows = await screen.findAllByTestId("reclaim-row");
    expect(rows).toHaveLength(4);
    expect(reclaimScan).toHaveBeenCalledWith(90, {
      disabled: true,
      inactive: true,
      neverSignedIn: true,
      redundant: true,
      guessFromAge: false,
    });
    expect(within(rows[0]!).getByText("Account disabled")).toBeTruthy();
    expect(within(rows[0]!).getByText("€33.75")).toBeTruthy();
    expect(within(rows[1]!).getByText("No sign-in for 90 days or more")).toBeTruthy();
    expect(within(rows[2]!).getByText("Covered by Microsoft 365 E3")).toBeTruthy();
    // From a group: said so, with the way to free it, and never chosen.
    expect(within(rows[3]!).getByText(/Never signed in — from group Sales – E3: remove them from the group/)).toBeTruthy();
    expect(within(rows[3]!).queryByRole("checkbox")).toBeNull();
    expect(within(rows[3]!).getByText("Never")).toBeTruthy();

    const summary = screen.getByTestId("reclaim-summary");
    expect(summary.textContent).toContain("4 licenses look wasted, held by 4 people.");
    expect(summary.textContent).toContain("3 chosen: taking them back frees 3 seats.");
    expect(summary.textContent).toContain("€67.50 a month");

    const user = userEvent.setup();
    await user.click(within(rows[1]!).getByRole("checkbox", { name: "Take back Microsoft 365 E3 from Bram Jansen" }));
    expect(summary.textContent).toContain("2 chosen");
    await user.click(screen.getByRole("button", { name: "Review taking back 2" }));
    expect(reclaimPlan).toHaveBeenCalledWith(["u1|e3", "u3|o365"]);
  });

  it("says in plain words why sign-in activity is missing and how to get it", async () => {
    renderPage(
      fakeApi(() => Promise.resolve([]), undefined, {
        reclaimScan: () => Promise.resolve({ ...scan, signIns: "noPremium", rows: [row({})] }),
      }),
    );
    const banner = await screen.findByTestId("reclaim-no-sign-ins");
    expect(banner.textContent).toContain("Microsoft Entra ID P1 or P2");
    expect(banner.textContent).toContain("Disabled accounts and plans covered by another plan are still listed");
  });

  it("guesses who never signed in from the account's age only when asked, and says it is a guess", async () => {
    const user = userEvent.setup();
    const guessed = row({ key: "u9|e3", userId: "u9", reason: "neverSignedIn", lastSignIn: null });
    const reclaimScan = vi.fn((_days: number, reasons: { guessFromAge: boolean }) =>
      Promise.resolve({ ...scan, signIns: "noPremium" as const, rows: reasons.guessFromAge ? [row({}), guessed] : [row({})] }),
    );
    renderPage(fakeApi(() => Promise.resolve([]), undefined, { reclaimScan }));
    const box = await screen.findByRole("checkbox", { name: "Guess who never signed in from the account's age" });
    expect((box as HTMLInputElement).checked).toBe(false);
    expect(screen.getByText(/whether they sign in or not/).textContent).toContain("older than 90 days");
    await user.click(box);
    const rows = await screen.findAllByTestId("reclaim-row");
    expect(rows).toHaveLength(2);
    expect(reclaimScan).toHaveBeenLastCalledWith(90, expect.objectContaining({ guessFromAge: true }));
    expect(within(rows[1]!).getByText("Account older than 90 days (sign-ins unknown)")).toBeTruthy();
    // A guess: the last sign-in is unknown, and it is not chosen until the person ticks it.
    expect(within(rows[1]!).getByText("Unknown")).toBeTruthy();
    expect((within(rows[1]!).getByRole("checkbox") as HTMLInputElement).checked).toBe(false);
    expect((within(rows[0]!).getByRole("checkbox") as HTMLInputElement).checked).toBe(true);
  });

  it("leaves someone out with a reason, and proposes them again", async () => {
    let kept = noKept;
    const exclude = vi.fn((e: (typeof noKept)["exclusions"][number]) => {
      kept = { ...kept, exclusions: [e] };
      return Promise.resolve(kept);
    });
    const unexclude = vi.fn(() => Promise.resolve(noKept));
    const reclaimScan = vi.fn(() => Promise.resolve({ ...scan, exclusions: kept.exclusions }));
    renderPage(fakeApi(() => Promise.resolve([]), undefined, { reclaimScan, exclude, unexclude }));
    const user = userEvent.setup();
    const rows = await screen.findAllByTestId("reclaim-row");
    await user.click(within(rows[0]!).getByRole("button", { name: "Never propose Ana de Vries" }));
    await user.type(await screen.findByTestId("reclaim-exclude-reason"), "service account");
    await user.click(screen.getByTestId("reclaim-exclude-save"));
    expect(exclude).toHaveBeenCalledWith({ kind: "person", key: "ana@contoso.com", name: "Ana de Vries", reason: "service account" });
    const excluded = await screen.findByTestId("reclaim-excluded", undefined, { timeout: 3000 });
    expect(excluded.textContent).toContain("service account");
    // Why can be changed; who stays the same.
    await user.click(within(excluded).getByRole("button", { name: "Change why Ana de Vries is left out" }));
    const why = await screen.findByTestId("reclaim-change-why-reason");
    expect((why as HTMLInputElement).value).toBe("service account");
    await user.clear(why);
    await user.type(why, "scanner, never signs in");
    await user.click(screen.getByTestId("reclaim-change-why-save"));
    expect(exclude).toHaveBeenLastCalledWith({ kind: "person", key: "ana@contoso.com", name: "Ana de Vries", reason: "scanner, never signs in" });
    await screen.findByText(/scanner, never signs in/, undefined, { timeout: 3000 });
    await user.click(within(screen.getByTestId("reclaim-excluded")).getByRole("button", { name: "Propose Ana de Vries again" }));
    expect(unexclude).toHaveBeenCalledWith("ana@contoso.com");
  });

  it("leaves out everyone in a group that gives the license", async () => {
    const exclude = vi.fn(() => Promise.resolve(noKept));
    renderPage(fakeApi(() => Promise.resolve([]), undefined, { reclaimScan: () => Promise.resolve(scan), exclude }));
    const user = userEvent.setup();
    const rows = await screen.findAllByTestId("reclaim-row");
    await user.click(within(rows[3]!).getByRole("button", { name: "Never propose Daan Bakker" }));
    await user.click(await screen.findByRole("checkbox", { name: "Leave out everyone in Sales – E3" }));
    await user.type(screen.getByTestId("reclaim-exclude-reason"), "on leave");
    await user.click(screen.getByTestId("reclaim-exclude-save"));
    expect(exclude).toHaveBeenCalledWith({ kind: "group", key: "g-sales", name: "Sales – E3", reason: "on leave" });
  });

  it("speaks Dutch", async () => {
    renderPage(fakeApi(() => Promise.resolve([]), undefined, { reclaimScan: () => Promise.resolve(scan) }), "nl-NL");
    const rows = await screen.findAllByTestId("reclaim-row");
    expect(within(rows[0]!).getByText("Account uitgeschakeld")).toBeTruthy();
    expect(within(rows[0]!).getByText("€ 33,75")).toBeTruthy();
    expect(screen.getByTestId("reclaim-summary").textContent).toContain("4 licenties lijken verspild");
  });
});
