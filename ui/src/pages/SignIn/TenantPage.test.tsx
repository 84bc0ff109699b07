import { describe, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { App } from "../../App";
import type { Api } from "../../api";
import type { TenantInfo } from "../../bindings/TenantInfo";
import { contoso, fakeApi, plan } from "../../test/fixtures";

const fabrikam: TenantInfo = {
  displayName: "fabrikam.onmicrosoft.com",
  domain: "fabrikam.onmicrosoft.com",
  tenantId: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
  demo: false,
  userPrincipalName: "megan.bowen@fabrikam.onmicrosoft.com",
  scopes: ["LicenseAssignment.ReadWrite.All", "User.Read.All"],
  notice: null,
};

async function fillForm() {
  const user = userEvent.setup();
  await user.click(await screen.findByTestId("header-sign-in"));
  await user.type(await screen.findByTestId("field-tenant"), "fabrikam.onmicrosoft.com");
  await user.type(screen.getByTestId("field-client-id"), "0f5b2a3c-1111-4e22-9c33-44d5e6f7a8b9");
  return user;
}

describe("Signing in", () => {
  it("shows the device code, then who is signed in, and signs out back to the demo", async () => {
    let finish: (t: TenantInfo) => void = () => undefined;
    const startDeviceSignIn = vi.fn<Api["startDeviceSignIn"]>().mockResolvedValue({
      userCode: "ABCD-EFGH",
      verificationUri: "https://microsoft.com/devicelogin",
      expiresIn: 900,
    });
    const openVerificationPage = vi.fn<Api["openVerificationPage"]>().mockResolvedValue();
    const api = fakeApi(() => Promise.resolve([plan({})]), contoso, {
      startDeviceSignIn,
      finishDeviceSignIn: () => new Promise((r) => (finish = r)),
      openVerificationPage,
      signOut: () => Promise.resolve(contoso),
    });
    render(<App api={api} locale="en" />);
    const user = await fillForm();
    expect(screen.getByTestId("sign-in-code").hasAttribute("disabled")).toBe(false);
    await user.click(screen.getByTestId("sign-in-code"));

    expect((await screen.findByTestId("device-code")).textContent).toBe("ABCD-EFGH");
    expect(startDeviceSignIn).toHaveBeenCalledWith(expect.objectContaining({ tenant: "fabrikam.onmicrosoft.com", cloud: "global", setUsageLocations: false }));
    await user.click(screen.getByRole("button", { name: "Copy code" }));
    expect(await navigator.clipboard.readText()).toBe("ABCD-EFGH");
    expect(await screen.findByRole("button", { name: "Copied" })).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Open sign-in page" }));
    expect(openVerificationPage).toHaveBeenCalled();

    finish(fabrikam);
    expect((await screen.findByTestId("signed-in-as")).textContent).toBe("Signed in as megan.bowen@fabrikam.onmicrosoft.com");
    expect(screen.queryByTestId("demo-badge")).toBeNull();
    expect(await screen.findByTestId("plan-card")).toBeTruthy();

    await user.click(screen.getByTestId("tenant-menu"));
    await user.click(await screen.findByTestId("sign-out"));
    expect(await screen.findByTestId("demo-badge")).toBeTruthy();
  });

  it("explains admin consent when Microsoft asks for it", async () => {
    const api = fakeApi(() => Promise.resolve([]), contoso, {
      startDeviceSignIn: () => Promise.resolve({ userCode: "X", verificationUri: "https://microsoft.com/devicelogin", expiresIn: 900 }),
      finishDeviceSignIn: () =>
        Promise.reject({
          code: "signin.consent",
          message: "An administrator must approve LicenseDesk's permissions for your organisation first (admin consent).",
          details: "AADSTS65001: The user or administrator has not consented",
        }),
    });
    render(<App api={api} locale="en" />);
    const user = await fillForm();
    await user.click(screen.getByTestId("sign-in-code"));
    const error = await screen.findByTestId("error-state");
    expect(error.textContent).toContain("admin consent");
    await user.click(screen.getByRole("button", { name: "Details" }));
    expect(screen.getByTestId("error-details").textContent).toContain("AADSTS65001");
  });

  it("needs a tenant and a client ID before signing in", async () => {
    render(<App api={fakeApi(() => Promise.resolve([]))} locale="en" />);
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("header-sign-in"));
    expect(screen.getByTestId("sign-in-code").hasAttribute("disabled")).toBe(true);
    await user.type(screen.getByTestId("field-tenant"), "contoso.com");
    expect(screen.getByTestId("sign-in-code").hasAttribute("disabled")).toBe(true);
  });
});

describe("The header when signed in", () => {
  const saved = [
    { setup: { tenant: "fabrikam.onmicrosoft.com", clientId: "c1", cloud: "global", setUsageLocations: false, manageGroups: false, authorityHost: null, graphEndpoint: null }, tenantId: fabrikam.tenantId, userPrincipalName: fabrikam.userPrincipalName },
    { setup: { tenant: "northwind.onmicrosoft.com", clientId: "c2", cloud: "global", setUsageLocations: true, manageGroups: false, authorityHost: null, graphEndpoint: null }, tenantId: "11111111-2222-4333-8444-555555555555", userPrincipalName: "admin@northwind.onmicrosoft.com" },
  ];

  it("lists the granted permissions in plain words and says what is missing", async () => {
    render(<App api={fakeApi(() => Promise.resolve([]), { ...fabrikam, scopes: ["offline_access", ...fabrikam.scopes] })} locale="en" />);
    const user = userEvent.setup();
    const button = await screen.findByTestId("permissions-button");
    expect(button.textContent).toBe("2 permissions");
    await user.click(button);
    const list = await screen.findByTestId("permissions");
    expect(list.textContent).toContain("Assign and remove licenses");
    expect(list.textContent).toContain("Read users and their licenses");
    expect(list.textContent).not.toContain("offline_access");
    expect(list.textContent).toContain("Usage locations cannot be set");
    expect(list.textContent).toContain("License Administrator or User Administrator");
  });

  it("switches to another saved tenant from the tenant menu", async () => {
    const northwind: TenantInfo = { ...fabrikam, displayName: "northwind", domain: "northwind.onmicrosoft.com", tenantId: saved[1]!.tenantId, userPrincipalName: "admin@northwind.onmicrosoft.com" };
    const switchTenant = vi.fn<Api["switchTenant"]>().mockResolvedValue(northwind);
    const api = fakeApi(() => Promise.resolve([]), fabrikam, { savedTenants: () => Promise.resolve(saved), switchTenant });
    render(<App api={api} locale="en" />);
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("tenant-menu"));
    const items = await screen.findAllByTestId("switch-tenant");
    expect(items).toHaveLength(2);
    // The tenant in use is marked and cannot be picked again.
    expect(items[0]!.getAttribute("aria-disabled")).toBe("true");
    await user.click(items[1]!);
    expect(switchTenant).toHaveBeenCalledWith(saved[1]!.setup);
    expect((await screen.findByTestId("signed-in-as")).textContent).toBe("Signed in as admin@northwind.onmicrosoft.com");
    expect(screen.getByTestId("tenant-menu").textContent).toContain("northwind.onmicrosoft.com");
  });

  it("copies the tenant ID from the tenant menu", async () => {
    render(<App api={fakeApi(() => Promise.resolve([]), fabrikam)} locale="en" />);
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("tenant-menu"));
    const copy = await screen.findByTestId("copy-tenant-id");
    expect(copy.textContent).toContain(fabrikam.tenantId);
    await user.click(copy);
    expect(await navigator.clipboard.readText()).toBe(fabrikam.tenantId);
    expect((await screen.findByTestId("copy-tenant-id")).textContent).toContain("Tenant ID copied");
  });

  it("says so when the clipboard refuses the tenant ID", async () => {
    render(<App api={fakeApi(() => Promise.resolve([]), fabrikam)} locale="en" />);
    const user = userEvent.setup();
    vi.spyOn(navigator.clipboard, "writeText").mockRejectedValue(new DOMException("denied", "NotAllowedError"));
    await user.click(await screen.findByTestId("tenant-menu"));
    await user.click(await screen.findByTestId("copy-tenant-id"));
    expect((await screen.findByTestId("copy-tenant-id")).textContent).toContain("Could not copy to the clipboard");
  });

  it("keeps the current tenant and says why when a switch fails", async () => {
    const api = fakeApi(() => Promise.resolve([]), fabrikam, {
      savedTenants: () => Promise.resolve(saved),
      switchTenant: () => Promise.reject({ code: "signin.again", message: "Your saved sign-in is no longer valid (it expired or was revoked). Sign in again.", details: null }),
    });
    render(<App api={api} locale="en" />);
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("tenant-menu"));
    await user.click((await screen.findAllByTestId("switch-tenant"))[1]!);
    const error = await screen.findByTestId("error-state");
    expect(error.textContent).toContain("Could not switch tenant");
    expect(error.textContent).toContain("Sign in again");
    expect(screen.getByTestId("signed-in-as").textContent).toContain("fabrikam");
  });
});

describe("Saved tenants on the Sign in page", () => {
  it("names a tenant saved as “organizations” by the signed-in account's domain", async () => {
    const saved = [
      { setup: { tenant: "organizations", clientId: "c1", cloud: "global", setUsageLocations: false, manageGroups: false, authorityHost: null, graphEndpoint: null }, tenantId: "t1", userPrincipalName: "admin@northwind.onmicrosoft.com" },
    ];
    render(<App api={fakeApi(() => Promise.resolve([]), contoso, { savedTenants: () => Promise.resolve(saved) })} locale="en" />);
    const user = userEvent.setup();
    await user.click(await screen.findByTestId("header-sign-in"));
    expect(await screen.findByText("northwind.onmicrosoft.com · admin@northwind.onmicrosoft.com")).toBeTruthy();
  });
});
