import { describe, expect, it, vi } from "vitest";
import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { App } from "../../App";
import type { Api } from "../../api";
import { contoso, fakeApi, plan } from "../../test/fixtures";

const signing = () => Promise.resolve({ own: null, ownMissingWhy: "no keychain", signInFirst: false, trusted: [], signedPlansRequired: false, policyError: null });

describe("Language and look", () => {
  it("switches the window to the language chosen at once and keeps the choice", async () => {
    const user = userEvent.setup();
    const setAppearance = vi.fn<Api["setAppearance"]>().mockResolvedValue();
    const api = fakeApi(() => Promise.resolve([plan({})]), contoso, { setAppearance, signingSettings: signing });
    render(<App api={api} locale="en-GB" />);
    await user.click(await screen.findByTestId("nav-settings"));
    await user.click(await screen.findByRole("radio", { name: "Nederlands" }));
    expect(setAppearance).toHaveBeenCalledWith({ language: "nl", theme: "system" });
    expect(await screen.findByRole("heading", { name: "Taal en weergave" })).toBeTruthy();
    expect(screen.getByTestId("nav-plans").textContent).toBe("Abonnementen");
    await user.click(screen.getByRole("radio", { name: "Hoog contrast" }));
    expect(setAppearance).toHaveBeenLastCalledWith({ language: "nl", theme: "highContrast" });
  });

  it("starts in the language saved, whatever the system's", async () => {
    const api = fakeApi(() => Promise.resolve([plan({})]), contoso, {
      appearance: () => Promise.resolve({ language: "nl", theme: "dark" }),
    });
    render(<App api={api} locale="en-US" />);
    await waitFor(() => expect(screen.getByTestId("nav-plans").textContent).toBe("Abonnementen"));
  });

  it("draws nothing in the system's language while the saved one is on its way", async () => {
    let answer: (saved: Awaited<ReturnType<Api["appearance"]>>) => void = () => undefined;
    const api = fakeApi(() => Promise.resolve([plan({})]), contoso, {
      appearance: () => new Promise((resolve) => (answer = resolve)),
    });
    const { container } = render(<App api={api} locale="en-US" />);
    // However long the answer takes, no English is shown first.
    await new Promise((wait) => setTimeout(wait, 50));
    expect(container.textContent).toBe("");
    expect(screen.queryByTestId("nav-plans")).toBeNull();
    answer({ language: "nl", theme: "system" });
    expect((await screen.findByTestId("nav-plans")).textContent).toBe("Abonnementen");
  });
});

describe("On this computer", () => {
  it("says where the log and journal are and forgets saved tenants only after asking", async () => {
    const user = userEvent.setup();
    let saved = 2;
    const forgetSavedTenants = vi.fn<Api["forgetSavedTenants"]>(() => {
      saved = 0;
      return Promise.resolve();
    });
    const api = fakeApi(() => Promise.resolve([plan({})]), contoso, {
      signingSettings: signing,
      thisComputer: () => Promise.resolve({ logFolder: "/var/log/ld", journal: "/data/journal.sqlite", keychainMissing: null, savedTenants: saved }),
      forgetSavedTenants,
    });
    render(<App api={api} locale="en" />);
    await user.click(await screen.findByTestId("nav-settings"));
    expect(await screen.findByText("/data/journal.sqlite")).toBeTruthy();
    // The About box names the open-source parts and their licences (generated from the lock files).
    expect(screen.getByTestId("about-parts").textContent).toMatch(/built with [\d,]+ Rust crates and [\d,]+ npm packages.*MIT \(/);
    expect(screen.getByText("2 saved tenants")).toBeTruthy();
    await user.click(screen.getByTestId("forget-tenants"));
    expect(forgetSavedTenants).not.toHaveBeenCalled();
    await user.click(screen.getByTestId("forget-yes"));
    expect(forgetSavedTenants).toHaveBeenCalledTimes(1);
    expect(await screen.findByText("The saved tenants are forgotten.")).toBeTruthy();
    expect(await screen.findByText("0 saved tenants")).toBeTruthy();
  });
});

describe("Product names", () => {
  it("refreshes from Microsoft when asked and says how many products are named", async () => {
    const user = userEvent.setup();
    const refreshProductNames = vi.fn<Api["refreshProductNames"]>().mockResolvedValue({ products: 569, refreshedAt: "2026-12-04T10:00:00Z", atStart: false, policy: null });
    const api = fakeApi(() => Promise.resolve([plan({})]), contoso, { signingSettings: signing, refreshProductNames });
    render(<App api={api} locale="en" />);
    await user.click(await screen.findByTestId("nav-settings"));
    expect((await screen.findByTestId("product-names-state")).textContent).toContain("44 products from its built-in list");
    await user.click(screen.getByTestId("product-names-refresh"));
    expect(refreshProductNames).toHaveBeenCalledTimes(1);
    expect((await screen.findByTestId("product-names-state")).textContent).toMatch(/^569 products named from Microsoft's list, refreshed/);
  });

  it("offers no refresh when the organisation keeps the built-in names", async () => {
    const user = userEvent.setup();
    const api = fakeApi(() => Promise.resolve([plan({})]), contoso, {
      signingSettings: signing,
      productNames: () => Promise.resolve({ products: 44, refreshedAt: null, atStart: false, policy: false }),
    });
    render(<App api={api} locale="en" />);
    await user.click(await screen.findByTestId("nav-settings"));
    expect(await screen.findByText("Your organisation keeps the built-in names: they are not refreshed.")).toBeTruthy();
    expect(screen.queryByTestId("product-names-refresh")).toBeNull();
  });
});
