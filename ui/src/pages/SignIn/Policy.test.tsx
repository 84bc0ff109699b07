import { describe, expect, it, vi } from "vitest";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { App } from "../../App";
import type { Api } from "../../api";
import type { About } from "../../bindings/About";
import type { TenantInfo } from "../../bindings/TenantInfo";
import { contoso, fakeApi, noPolicy, plan } from "../../test/fixtures";

const CLIENT = "11111111-2222-3333-4444-555555555555";

function policy(locked: boolean): About {
  return {
    ...noPolicy,
    policy: {
      ...noPolicy.policy,
      inForce: { ...noPolicy.policy.inForce!, file: "/etc/licensedesk/policy.json", tenant: "contoso.onmicrosoft.com", clientId: CLIENT, locked, allowDemo: false },
    },
  };
}

const signedIn: TenantInfo = { ...contoso, demo: false, userPrincipalName: "ann@contoso.onmicrosoft.com" };
const demoOff = { code: "demo.off", message: "Your organisation has turned the demo tenant off (/etc/licensedesk/policy.json).", details: null };

describe("A setup the organisation deployed", () => {
  it("without the demo, opens on Sign in with only the organisation's tenant, and signs in there", async () => {
    const user = userEvent.setup();
    const signInWithBrowser = vi.fn<Api["signInWithBrowser"]>().mockResolvedValue(signedIn);
    const api = fakeApi(() => Promise.resolve([plan({})]), contoso, {
      tenantInfo: () => Promise.reject(demoOff),
      about: () => Promise.resolve(policy(true)),
      signInWithBrowser,
    });
    render(<App api={api} locale="en" />);
    expect(await screen.findByTestId("demo-off")).toBeTruthy();
    // Nothing that needs a tenant is offered yet.
    expect(screen.queryByTestId("nav-plans")).toBeNull();
    expect(screen.getByText("Not signed in")).toBeTruthy();
    const card = await screen.findByTestId("policy-managed");
    expect(within(card).getByText("Your IT department has set LicenseDesk up for your organisation (/etc/licensedesk/policy.json).")).toBeTruthy();
    expect(screen.getByTestId("policy-locked")).toBeTruthy();
    // Locked: no form to type another tenant into, and no "other settings".
    expect(screen.queryByTestId("field-tenant")).toBeNull();
    expect(screen.queryByTestId("policy-other")).toBeNull();
    await user.click(screen.getByRole("button", { name: "Sign in to contoso.onmicrosoft.com" }));
    expect(signInWithBrowser).toHaveBeenCalledWith(expect.objectContaining({ tenant: "contoso.onmicrosoft.com", clientId: CLIENT, cloud: "global" }));
    expect(await screen.findByTestId("signed-in-as")).toBeTruthy();
    expect(screen.getByTestId("nav-plans")).toBeTruthy();
  });

  it("when not locked, offers other settings in a form filled with the organisation's", async () => {
    const user = userEvent.setup();
    const api = fakeApi(() => Promise.resolve([plan({})]), contoso, { about: () => Promise.resolve(policy(false)) });
    render(<App api={api} locale="en" />);
    await user.click(await screen.findByTestId("header-sign-in"));
    expect(await screen.findByTestId("policy-managed")).toBeTruthy();
    expect(screen.queryByTestId("field-tenant")).toBeNull();
    await user.click(screen.getByTestId("policy-other"));
    expect((screen.getByTestId("field-tenant") as HTMLInputElement).value).toBe("contoso.onmicrosoft.com");
    expect((screen.getByTestId("field-client-id") as HTMLInputElement).value).toBe(CLIENT);
  });

  it("names the file and line of a broken policy and offers no sign-in until it is corrected", async () => {
    const api = fakeApi(() => Promise.resolve([plan({})]), contoso, {
      tenantInfo: () => Promise.reject({ code: "policy.broken", message: "…", details: null }),
      about: () =>
        Promise.resolve({ ...noPolicy, policy: { inForce: null, lookedAt: "/etc/licensedesk/policy.json", problem: { file: "/etc/licensedesk/policy.json", line: 3, why: "unknown field `lockd`" } } }),
    });
    render(<App api={api} locale="nl-NL" />);
    const broken = await screen.findByTestId("policy-broken");
    expect(broken.textContent).toContain("/etc/licensedesk/policy.json, regel 3: unknown field `lockd`");
    expect(screen.queryByTestId("field-tenant")).toBeNull();
    expect(screen.queryByTestId("policy-sign-in")).toBeNull();
    expect(screen.queryByRole("button", { name: /Aanmelden/ })).toBeNull();
  });

  it("signing out with the demo off leaves no tenant, not the one signed out of", async () => {
    const user = userEvent.setup();
    const api = fakeApi(() => Promise.resolve([plan({})]), signedIn, {
      about: () => Promise.resolve(policy(true)),
      savedTenants: () => Promise.resolve([]),
      signOut: () => Promise.reject(demoOff),
    });
    render(<App api={api} locale="en" />);
    await user.click(await screen.findByTestId("tenant-menu"));
    await user.click(await screen.findByRole("menuitem", { name: /Sign out/ }));
    expect(await screen.findByTestId("policy-managed")).toBeTruthy();
    expect(screen.queryByTestId("signed-in-as")).toBeNull();
    expect(screen.queryByTestId("nav-users")).toBeNull();
  });
});
