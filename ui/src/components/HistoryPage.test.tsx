import { describe, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ApiContext, type Api } from "../api";
import { I18nProvider } from "../i18n";
import type { RunPage } from "../bindings/RunPage";
import type { RunSummary } from "../bindings/RunSummary";
import { App } from "../App";
import { fakeApi } from "../test/fixtures";
import { HistoryPage } from "./HistoryPage";

const E3 = "05e9a617-0261-4cee-bb44-138d3ef5d965";

const run: RunSummary = {
  id: "3f2a1b9c",
  tenantId: "t",
  tenantName: "Contoso",
  startedBy: "admin@contoso.com",
  source: "app",
  startedAt: "2026-11-30T10:00:00Z",
  finishedAt: "2026-11-30T10:01:00Z",
  what: "Give Microsoft 365 E3 — 2 people",
  undoes: null,
  undoneBy: null,
  state: "finished",
  total: 2,
  done: 1,
  failed: 1,
  open: 0,
};

const page: RunPage = {
  summary: run,
  planNames: { [E3]: "Microsoft 365 E3" },
  matching: 2,
  changes: [
    {
      seq: 0,
      outcome: { userId: "u1", userPrincipalName: "ana@contoso.com", displayName: "Ana", action: "add", setUsageLocation: null, add: [{ skuId: E3, disabledPlans: [] }], remove: [], reason: null },
      before: { usageLocation: "NL", direct: [] },
      status: "done",
      error: null,
      errorCode: null,
    },
    {
      seq: 1,
      outcome: { userId: "u2", userPrincipalName: "bo@contoso.com", displayName: "Bo", action: "add", setUsageLocation: null, add: [{ skuId: E3, disabledPlans: [] }], remove: [], reason: null },
      before: { usageLocation: "NL", direct: [] },
      status: "failed",
      error: null,
      errorCode: "changedSince",
    },
  ],
};

describe("History", () => {
  it("lists runs, opens one with each person, and previews its undo with who is left alone", async () => {
    const user = userEvent.setup();
    const planUndo = vi.fn<Api["planUndo"]>(() =>
      Promise.resolve({
        plan: {
          people: [{ userId: "u1", userPrincipalName: "ana@contoso.com", displayName: "Ana", action: "remove", setUsageLocation: null, add: [], remove: [E3], reason: null }],
          seats: [],
        },
        planNames: { [E3]: "Microsoft 365 E3" },
        groupNames: {},
        leftAlone: [{ userPrincipalName: "bo@contoso.com", displayName: "Bo", why: "changed since" }],
      }),
    );
    const api = fakeApi(() => Promise.resolve([]), undefined, {
      historyRuns: () => Promise.resolve([run]),
      historyRun: () => Promise.resolve(page),
      planUndo,
    });
    render(
      <ApiContext.Provider value={api}>
        <I18nProvider locale="en">
          <HistoryPage />
        </I18nProvider>
      </ApiContext.Provider>,
    );
    expect(await screen.findByText("Give Microsoft 365 E3 — 2 people")).toBeTruthy();
    expect(screen.getByText("1 done · 1 failed · of 2")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: /Open: Give Microsoft 365 E3/ }));
    expect((await screen.findAllByText("Gets Microsoft 365 E3")).length).toBe(2);
    expect(screen.getByText("Changed by someone else during the run: left as it was.")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Undo this run…" }));
    expect(planUndo).toHaveBeenCalledWith("3f2a1b9c");
    expect(await screen.findByText(/1 person was changed by someone else since this run/)).toBeTruthy();
    expect(screen.getByText("Bo (bo@contoso.com)")).toBeTruthy();
  });

  it("offers to finish a run that was cut short when the app starts", async () => {
    const user = userEvent.setup();
    const interrupted: RunSummary = { ...run, state: "interrupted", open: 120, finishedAt: null };
    const finishRun = vi.fn<Api["finishRun"]>(() => Promise.resolve({ ...interrupted, state: "finished", open: 0 }));
    const api = fakeApi(() => Promise.resolve([]), undefined, {
      interruptedRuns: () => Promise.resolve([interrupted]),
      historyRuns: () => Promise.resolve([interrupted]),
      historyRun: () => Promise.resolve({ ...page, summary: { ...interrupted, state: "finished", open: 0 } }),
      finishRun,
    });
    render(<App api={api} locale="en" />);
    expect(await screen.findByText(/A run was cut short before it finished: “Give Microsoft 365 E3 — 2 people” \(120 changes not settled\)/)).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Finish it" }));
    expect(finishRun).toHaveBeenCalledTimes(1);
    expect(finishRun.mock.calls[0]?.[0]).toBe("3f2a1b9c");
    expect(await screen.findByTestId("history-run-detail")).toBeTruthy();
  });
});
