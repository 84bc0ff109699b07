import { createContext, useContext } from "react";
import { Channel, invoke } from "@tauri-apps/api/core";
import type { About } from "./bindings/About";
import type { Appearance } from "./bindings/Appearance";
import type { ThisComputer } from "./bindings/ThisComputer";
import type { ProductNamesInfo } from "./bindings/ProductNamesInfo";
import type { AppEvent } from "./bindings/AppEvent";
import type { CommandError } from "./bindings/CommandError";
import type { SkuSummary } from "./bindings/SkuSummary";
import type { TenantInfo } from "./bindings/TenantInfo";
import type { TenantSetup } from "./bindings/TenantSetup";
import type { SavedTenant } from "./bindings/SavedTenant";
import type { DeviceCodeInfo } from "./bindings/DeviceCodeInfo";
import type { UsersPage } from "./bindings/UsersPage";
import type { UsersQuery } from "./bindings/UsersQuery";
import type { PersonDetail } from "./bindings/PersonDetail";
import type { Country } from "./bindings/Country";
import type { WantedChange } from "./bindings/WantedChange";
import type { ShortfallPolicy } from "./bindings/ShortfallPolicy";
import type { PlanPreview } from "./bindings/PlanPreview";
import type { RunProgress } from "./bindings/RunProgress";
import type { RunResult } from "./bindings/RunResult";
import type { ImportFile } from "./bindings/ImportFile";
import type { ImportRows } from "./bindings/ImportRows";
import type { ReadChoice } from "./bindings/ReadChoice";
import type { RowsView } from "./bindings/RowsView";
import type { Mapping } from "./bindings/Mapping";
import type { Field } from "./bindings/Field";
import type { RunSummary } from "./bindings/RunSummary";
import type { RunPage } from "./bindings/RunPage";
import type { RunPageQuery } from "./bindings/RunPageQuery";
import type { SavedPlan } from "./bindings/SavedPlan";
import type { SigningSettings } from "./bindings/SigningSettings";
import type { Kept } from "./bindings/Kept";
import type { Exclusion } from "./bindings/Exclusion";
import type { Commitment } from "./bindings/Commitment";
import type { PlanCost } from "./bindings/PlanCost";
import type { Renewal } from "./bindings/Renewal";
import type { SavedReport } from "./bindings/SavedReport";
import type { ReclaimScan } from "./bindings/ReclaimScan";
import type { ReclaimReasons } from "./bindings/ReclaimReasons";
import type { GroupView } from "./bindings/GroupView";
import type { GroupDetail } from "./bindings/GroupDetail";
import type { MembersPage } from "./bindings/MembersPage";
import type { MembersQuery } from "./bindings/MembersQuery";
import type { GroupBrief } from "./bindings/GroupBrief";
import type { ReprocessOutcome } from "./bindings/ReprocessOutcome";
import type { DoubleRow } from "./bindings/DoubleRow";
import type { RolesView } from "./bindings/RolesView";
import type { RolesFile } from "./bindings/RolesFile";
import type { RoleChoices } from "./bindings/RoleChoices";

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
  /// The window is being closed while a run sends changes (the close was held back).
  onCloseRequested(listener: () => void): () => void;
  /// Cancels the run (what was sent finishes first), then quits.
  stopRunAndQuit(): Promise<void>;
  usersPage(query: UsersQuery, offset: number, limit: number): Promise<UsersPage>;
  matchingIds(query: UsersQuery): Promise<string[]>;
  person(id: string): Promise<PersonDetail>;
  countries(): Promise<Country[]>;
  /// Plans a change; nothing is sent until applyPlan.
  planChange(ids: string[], change: WantedChange, policy: ShortfallPolicy): Promise<PlanPreview>;
  applyPlan(onProgress: (p: RunProgress) => void): Promise<RunResult>;
  pauseRun(): Promise<void>;
  resumeRun(): Promise<void>;
  cancelRun(): Promise<void>;
  planRetry(): Promise<PlanPreview>;
  /// The open dialog (shown by Rust); null when the person cancelled.
  /// `language`: the window's, for the dialog's file filter.
  importChooseFile(language?: string): Promise<ImportFile | null>;
  /// The name of a file dropped on the window or opened with LicenseDesk, if one waits.
  importOfferedFile(): Promise<string | null>;
  importOpenOffered(): Promise<ImportFile>;
  /// A file was dropped on the window (its name; Rust keeps the path).
  onFileOffered(listener: (name: string) => void): () => void;
  importReread(choice: ReadChoice): Promise<ImportFile>;
  /// Checks every row with this mapping; `profile` names it to remember it.
  importCheck(mapping: Mapping, license: string | null, profile: string | null, view: RowsView): Promise<ImportRows>;
  importRows(view: RowsView): Promise<ImportRows>;
  /// Corrects one cell in memory (the file is never changed) and checks again.
  importFix(line: number, field: Field, value: string, view: RowsView): Promise<ImportRows>;
  importLeaveOut(line: number, leftOut: boolean, view: RowsView): Promise<ImportRows>;
  /// Plans the rows that can be used; nothing is sent until applyPlan.
  importPlan(policy: ShortfallPolicy): Promise<PlanPreview>;
  /// Every run in the journal, newest first.
  historyRuns(): Promise<RunSummary[]>;
  historyRun(id: string, query: RunPageQuery): Promise<RunPage>;
  /// Runs on the current tenant that were cut short.
  interruptedRuns(): Promise<RunSummary[]>;
  /// Finishes an interrupted run; the run as the journal has it after.
  finishRun(id: string, onProgress: (p: RunProgress) => void): Promise<RunSummary>;
  /// Plans the undo of a run; applied with applyPlan.
  planUndo(id: string): Promise<PlanPreview>;
  /// The path saved to, or null when the person cancelled the dialog.
  saveRunReport(id: string, excel: boolean, language: string): Promise<string | null>;
  /// Saves the plan on screen as a file for another administrator to approve (Rust's save
  /// dialog), signed with this person's key when a keychain holds one; null when cancelled.
  planSaveFile(language?: string): Promise<SavedPlan | null>;
  /// Opens a plan file (Rust's open dialog): checked and planned again on the tenant as it is
  /// now, with what drifted; null when the person cancelled.
  planOpenFile(language?: string): Promise<PlanPreview | null>;
  /// The name of a plan file dropped on the window or opened with LicenseDesk, if one waits.
  planOfferedFile(): Promise<string | null>;
  planOpenOffered(): Promise<PlanPreview>;
  /// Plans the open plan file again with another choice for a seat shortfall.
  planFileReplan(policy: ShortfallPolicy): Promise<PlanPreview>;
  /// A plan file was dropped on the window (its name; Rust keeps the path).
  onPlanOffered(listener: (name: string) => void): () => void;
  /// This person's plan-signing key (public half), the keys they and the policy trust.
  signingSettings(): Promise<SigningSettings>;
  /// The language asked for in the environment (LANG, LANGUAGE), when there is one.
  preferredLanguage(): Promise<string | null>;
  /// The version, the commit and the organisation's policy in force (or why it cannot be used).
  about(): Promise<About>;
  /// Prices, thresholds, renewal marks and reclaim exclusions kept for this tenant.
  kept(): Promise<Kept>;
  /// One plan's monthly price per seat in cents (`null` forgets it).
  setPrice(skuPartNumber: string, cents: number | null, currency?: string | null): Promise<Kept>;
  /// Prices from a file the person picks (Rust's dialog); `null` when cancelled.
  importPrices(language?: string): Promise<Kept | null>;
  /// A plan's free-seat threshold ("5" or "10%"; `null` removes it).
  setThreshold(skuPartNumber: string, threshold: string | null): Promise<Kept>;
  setCommitment(subscriptionId: string, commitment: Commitment | null): Promise<Kept>;
  exclude(exclusion: Exclusion): Promise<Kept>;
  unexclude(key: string): Promise<Kept>;
  planCosts(): Promise<PlanCost[]>;
  renewals(withinDays: number): Promise<Renewal[]>;
  /// The chargeback report by department, saved where the person chooses; `null` when cancelled.
  saveChargeback(excel: boolean, language: string): Promise<SavedReport | null>;
  /// The licenses that look wasted, for these reasons and N days.
  reclaimScan(days: number, reasons: ReclaimReasons): Promise<ReclaimScan>;
  /// The review of taking back the chosen rows (their keys) of the last scan.
  reclaimPlan(keys: string[]): Promise<PlanPreview>;
  /// Every group that gives licenses, with its members' standing.
  groupsList(): Promise<GroupView[]>;
  /// One group with all its members (people in error first).
  groupDetail(id: string): Promise<GroupDetail>;
  /// A page of the group last opened's members.
  groupMembersPage(query: MembersQuery, offset: number, limit: number): Promise<MembersPage>;
  /// Asks Microsoft to work out these members' group licenses again (members of the group
  /// last opened only).
  groupsReprocess(userIds: string[]): Promise<ReprocessOutcome>;
  /// Plans people joining (`join`) or leaving a group; nothing is sent until applyPlan.
  groupsPlanMembership(groupId: string, userIds: string[], join: boolean): Promise<PlanPreview>;
  /// The license groups that give this plan.
  groupsGiving(skuId: string): Promise<GroupBrief[]>;
  /// People who hold a plan both directly and from a group.
  doublesScan(): Promise<DoubleRow[]>;
  doublesPlan(keys: string[]): Promise<PlanPreview>;
  rolesGet(): Promise<RolesView>;
  rolesSave(roles: RolesFile): Promise<RolesView>;
  /// The open dialog (shown by Rust); null when cancelled.
  rolesImport(language?: string): Promise<RolesView | null>;
  /// The save dialog (shown by Rust); the path, or null when cancelled.
  rolesExport(language?: string): Promise<string | null>;
  /// The plans (with their apps) and groups a role can name.
  rolesChoices(): Promise<RoleChoices>;
  /// Plans giving the role to these people.
  rolePlan(name: string, userIds: string[]): Promise<PlanPreview>;
  /// Once, when the first plans are on screen (ms since 1970): a line in the support log.
  firstScreenDrawn(atEpochMs: number): Promise<void>;
  /// The language and theme chosen in Settings ("system" for the system's).
  appearance(): Promise<Appearance>;
  setAppearance(appearance: Appearance): Promise<void>;
  /// Where the log and the journal are, the keychain's state, how many tenants are saved.
  thisComputer(): Promise<ThisComputer>;
  /// Forgets every saved tenant and its sign-in in the keychain.
  forgetSavedTenants(): Promise<void>;
  /// The product names in use (built in or refreshed), and who decides about refreshing.
  productNames(): Promise<ProductNamesInfo>;
  /// Downloads Microsoft's product-name list, checks it whole, and uses and caches it.
  refreshProductNames(): Promise<ProductNamesInfo>;
  setProductNamesAtStart(atStart: boolean): Promise<ProductNamesInfo>;
  trustPlanKey(name: string, publicKey: string): Promise<void>;
  untrustPlanKey(publicKey: string): Promise<void>;
}

/// What Rust tells the window unasked comes over one channel, opened once (the window has no
/// permission to listen to Tauri's events); each screen adds and removes its own listener.
const appEventListeners = new Set<(e: AppEvent) => void>();
let appEventsOpened = false;
function onAppEvent(listener: (e: AppEvent) => void): () => void {
  appEventListeners.add(listener);
  if (!appEventsOpened) {
    appEventsOpened = true;
    const channel = new Channel<AppEvent>();
    channel.onmessage = (e) => appEventListeners.forEach((l) => l(e));
    void invoke("app_events", { channel });
  }
  return () => {
    appEventListeners.delete(listener);
  };
}

/// The first screen's questions (its language and theme, the tenant, the plans), asked as soon
/// as the script runs (`askFirstScreen`), before React has drawn anything: the answers are on
/// their way while React starts. Each is used once; later calls ask again.
const earlyAnswers = new Map<string, Promise<unknown>>();
export function askFirstScreen() {
  // The language and theme first: nothing is drawn before they are known.
  for (const command of ["preferred_language", "appearance", "tenant_info", "list_plans"]) {
    const answer = invoke(command);
    // Not waited for by anyone yet: a failure is seen when the page asks.
    answer.catch(() => undefined);
    earlyAnswers.set(command, answer);
  }
}
/// The answer asked for when the script started, used once; later calls ask again.
function askOnce<T>(command: string): Promise<T> {
  const early = earlyAnswers.get(command) as Promise<T> | undefined;
  earlyAnswers.delete(command);
  return early ?? invoke<T>(command);
}
export const tauriApi: Api = {
  tenantInfo: () => askOnce<TenantInfo>("tenant_info"),
  listPlans: () => askOnce<SkuSummary[]>("list_plans"),
  savedTenants: () => invoke<SavedTenant[]>("saved_tenants"),
  startDeviceSignIn: (setup) => invoke<DeviceCodeInfo>("start_device_sign_in", { setup }),
  finishDeviceSignIn: () => invoke<TenantInfo>("finish_device_sign_in"),
  signInWithBrowser: (setup) => invoke<TenantInfo>("sign_in_with_browser", { setup }),
  cancelSignIn: () => invoke<void>("cancel_sign_in"),
  openVerificationPage: () => invoke<void>("open_verification_page"),
  switchTenant: (setup) => invoke<TenantInfo>("switch_tenant", { setup }),
  signOut: () => invoke<TenantInfo>("sign_out"),
  usersPage: (query, offset, limit) => invoke<UsersPage>("users_page", { query, offset, limit }),
  matchingIds: (query) => invoke<string[]>("matching_ids", { query }),
  person: (id) => invoke<PersonDetail>("person", { id }),
  countries: () => invoke<Country[]>("countries"),
  planChange: (ids, change, policy) => invoke<PlanPreview>("plan_change", { ids, change, policy }),
  applyPlan: (onProgress) => {
    const channel = new Channel<RunProgress>();
    channel.onmessage = onProgress;
    return invoke<RunResult>("apply_plan", { onProgress: channel });
  },
  pauseRun: () => invoke<void>("pause_run"),
  resumeRun: () => invoke<void>("resume_run"),
  cancelRun: () => invoke<void>("cancel_run"),
  planRetry: () => invoke<PlanPreview>("plan_retry"),
  onGraphWait: (listener) => onAppEvent((e) => e.kind === "graphWait" && listener(e.seconds)),
  onCloseRequested: (listener) => onAppEvent((e) => e.kind === "closeRequested" && listener()),
  stopRunAndQuit: () => invoke<void>("stop_run_and_quit"),
  importChooseFile: (language) => invoke<ImportFile | null>("import_choose_file", { language: language ?? null }),
  importOfferedFile: () => invoke<string | null>("import_offered_file"),
  importOpenOffered: () => invoke<ImportFile>("import_open_offered"),
  onFileOffered: (listener) => onAppEvent((e) => e.kind === "fileOffered" && listener(e.name)),
  importReread: (choice) => invoke<ImportFile>("import_reread", { choice }),
  importCheck: (mapping, license, profile, view) => invoke<ImportRows>("import_check", { mapping, license, profile, view }),
  importRows: (view) => invoke<ImportRows>("import_rows", { view }),
  importFix: (line, field, value, view) => invoke<ImportRows>("import_fix", { line, field, value, view }),
  importLeaveOut: (line, leftOut, view) => invoke<ImportRows>("import_leave_out", { line, leftOut, view }),
  importPlan: (policy) => invoke<PlanPreview>("import_plan", { policy }),
  historyRuns: () => invoke<RunSummary[]>("history_runs"),
  historyRun: (id, query) => invoke<RunPage>("history_run", { id, query }),
  interruptedRuns: () => invoke<RunSummary[]>("interrupted_runs"),
  finishRun: (id, onProgress) => {
    const channel = new Channel<RunProgress>();
    channel.onmessage = onProgress;
    return invoke<RunSummary>("finish_run", { id, onProgress: channel });
  },
  planUndo: (id) => invoke<PlanPreview>("plan_undo", { id }),
  saveRunReport: (id, excel, language) => invoke<string | null>("save_run_report", { id, excel, language }),
  planSaveFile: (language) => invoke<SavedPlan | null>("plan_save_file", { language: language ?? null }),
  planOpenFile: (language) => invoke<PlanPreview | null>("plan_open_file", { language: language ?? null }),
  planOfferedFile: () => invoke<string | null>("plan_offered_file"),
  planOpenOffered: () => invoke<PlanPreview>("plan_open_offered"),
  planFileReplan: (policy) => invoke<PlanPreview>("plan_file_replan", { policy }),
  onPlanOffered: (listener) => onAppEvent((e) => e.kind === "planOffered" && listener(e.name)),
  signingSettings: () => invoke<SigningSettings>("signing_settings"),
  preferredLanguage: () => askOnce<string | null>("preferred_language"),
  about: () => invoke<About>("about"),
  firstScreenDrawn: (atEpochMs) => invoke<void>("first_screen_drawn", { atEpochMs }),
  kept: () => invoke<Kept>("kept"),
  setPrice: (skuPartNumber, cents, currency) => invoke<Kept>("set_price", { skuPartNumber, cents, currency: currency ?? null }),
  importPrices: (language) => invoke<Kept | null>("import_prices", { language: language ?? null }),
  setThreshold: (skuPartNumber, threshold) => invoke<Kept>("set_threshold", { skuPartNumber, threshold }),
  setCommitment: (subscriptionId, commitment) => invoke<Kept>("set_commitment", { subscriptionId, commitment }),
  exclude: (exclusion) => invoke<Kept>("exclude", { exclusion }),
  unexclude: (key) => invoke<Kept>("unexclude", { key }),
  planCosts: () => invoke<PlanCost[]>("plan_costs"),
  renewals: (withinDays) => invoke<Renewal[]>("renewals_view", { withinDays }),
  saveChargeback: (excel, language) => invoke<SavedReport | null>("save_chargeback", { excel, language }),
  reclaimScan: (days, reasons) => invoke<ReclaimScan>("reclaim_scan", { days, reasons }),
  reclaimPlan: (keys) => invoke<PlanPreview>("reclaim_plan", { keys }),
  groupsList: () => invoke<GroupView[]>("groups_list"),
  groupDetail: (id) => invoke<GroupDetail>("group_detail", { id }),
  groupMembersPage: (query, offset, limit) => invoke<MembersPage>("group_members_page", { query, offset, limit }),
  groupsReprocess: (userIds) => invoke<ReprocessOutcome>("groups_reprocess", { userIds }),
  groupsPlanMembership: (groupId, userIds, join) => invoke<PlanPreview>("groups_plan_membership", { groupId, userIds, join }),
  groupsGiving: (skuId) => invoke<GroupBrief[]>("groups_giving", { skuId }),
  doublesScan: () => invoke<DoubleRow[]>("doubles_scan"),
  doublesPlan: (keys) => invoke<PlanPreview>("doubles_plan", { keys }),
  rolesGet: () => invoke<RolesView>("roles_get"),
  rolesSave: (roles) => invoke<RolesView>("roles_save", { roles }),
  rolesImport: (language) => invoke<RolesView | null>("roles_import", { language: language ?? null }),
  rolesExport: (language) => invoke<string | null>("roles_export", { language: language ?? null }),
  rolesChoices: () => invoke<RoleChoices>("roles_choices"),
  rolePlan: (name, userIds) => invoke<PlanPreview>("role_plan", { name, userIds }),
  appearance: () => askOnce<Appearance>("appearance"),
  setAppearance: (appearance) => invoke<void>("set_appearance", { appearance }),
  thisComputer: () => invoke<ThisComputer>("this_computer"),
  forgetSavedTenants: () => invoke<void>("forget_saved_tenants"),
  productNames: () => invoke<ProductNamesInfo>("product_names"),
  refreshProductNames: () => invoke<ProductNamesInfo>("refresh_product_names"),
  setProductNamesAtStart: (atStart) => invoke<ProductNamesInfo>("set_product_names_at_start", { atStart }),
  trustPlanKey: (name, publicKey) => invoke<void>("trust_plan_key", { name, publicKey }),
  untrustPlanKey: (publicKey) => invoke<void>("untrust_plan_key", { publicKey }),
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
