import { createContext, useContext } from "react";
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import type { CommandError } from "./bindings/CommandError";
import type { SkuSummary } from "./bindings/SkuSummary";
import type { TenantInfo } from "./bindings/TenantInfo";
import type { TenantSetup } from "./bindings/TenantSetup";
import type { SavedTenant } from "./bindings/SavedTenant";
import type { DeviceCodeInfo } from "./bindings/DeviceCodeInfo";

/// Everything the UI may ask of the Rust side. Screens get it from context, so component tests
/// can hand them a fake while the end-to-end tests drive the real one.
export interface Api {
  tenantInfo(): Promise<TenantInfo>;
  listPlans(): Promise<SkuSummary[]>;
  savedTenants(): Promise<SavedTenant[]>;
  startDeviceSignIn(setup: TenantSetup): Promise<DeviceCodeInfo>;
  finishDeviceSignIn(): Promise<TenantInfo>;
  signInWithBrowser(setup: TenantSetup): Promise<TenantInfo>;
  cancelSignIn(): Promise<void>;
  openVerificationPage(): Promise<void>;
  switchTenant(setup: TenantSetup): Promise<TenantInfo>;
  signOut(): Promise<TenantInfo>;
  /// Calls `listener` with the seconds whenever Microsoft Graph asks LicenseDesk to wait
  /// (throttling); returns the function that stops listening.
  onGraphWait(listener: (seconds: number) => void): () => void;
}

export const tauriApi: Api = {
  tenantInfo: () => invoke<TenantInfo>("tenant_info"),
  listPlans: () => invoke<SkuSummary[]>("list_plans"),
  savedTenants: () => invoke<SavedTenant[]>("saved_tenants"),
  startDeviceSignIn: (setup) => invoke<DeviceCodeInfo>("start_device_sign_in", { setup }),
  finishDeviceSignIn: () => invoke<TenantInfo>("finish_device_sign_in"),
  signInWithBrowser: (setup) => invoke<TenantInfo>("sign_in_with_browser", { setup }),
  cancelSignIn: () => invoke<void>("cancel_sign_in"),
  openVerificationPage: () => invoke<void>("open_verification_page"),
  switchTenant: (setup) => invoke<TenantInfo>("switch_tenant", { setup }),
  signOut: () => invoke<TenantInfo>("sign_out"),
  onGraphWait: (listener) => {
    const stop = listen<number>("graph-wait", (event) => listener(event.payload));
    return () => {
      void stop.then((unlisten) => unlisten());
    };
  },
};

export const ApiContext = createContext<Api>(tauriApi);

export function useApi(): Api {
  return useContext(ApiContext);
}

function isCommandError(value: unknown): value is CommandError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "string" &&
    typeof (value as { message?: unknown }).message === "string"
  );
}

/// Whatever a command rejected with, as a CommandError the screens can show.
export function toCommandError(value: unknown): CommandError {
  if (isCommandError(value)) return value;
  const text = value instanceof Error ? value.message : String(value);
  return {
    code: "ui.unexpected",
    message: "Something went wrong inside LicenseDesk. Try again.",
    details: text,
  };
}
