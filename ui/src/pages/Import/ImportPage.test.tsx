import { describe, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { ApiContext, type Api } from "../../api";
import { I18nProvider } from "../../i18n";
import type { ImportFile } from "../../bindings/ImportFile";
import type { ImportRows } from "../../bindings/ImportRows";
import type { RowView } from "../../bindings/RowView";
import { fakeApi, plan } from "../../test/fixtures";
import { ImportPage } from "./ImportPage";

const E3 = "05e9a617-0261-4cee-bb44-138d3ef5d965";

// A file without a license column: the wizard's license goes to every row.
const file: ImportFile = {
  fileName: "starters.csv",
  bytes: 80,
  encoding: "UTF-8",
  delimiter: ";",
  headerRow: 1,
  sheet: null,
  sheets: [],
  headers: ["E-mailadres", "Land"],
  sample: [
    ["ana@contoso.com", "Nederland"],
    ["=HYPERLINK(\"x\")", "NL"],
  ],
  rows: 2,
  mapping: { columns: ["user", "usageLocation"] },
  profile: null,
  license: null,
};

function row(line: number, upn: string, error: string | null, suggestion: string | null = null): RowView {
  return {
    row: line,
    userPrincipalName: upn,
    userId: error ? null : `id-${line}`,
    usageLocation: "NL",
    action: "add",
    addLicenses: ["SPE_E3"],
    removeLicenses: [],
    disabledPlans: [],
    department: null,
    role: null,
    excluded: false,
    issues: error
      ? [{ severity: "error", code: { kind: "unknownUser", value: upn, near: suggestion }, message: error, field: "user", suggestion }]
      : [],
    cells: [upn, "NL"],
  };
}

function rows(fixed: boolean): ImportRows {
  return {
    rows: fixed ? [] : [row(3, "an@contoso.com", "No one in this tenant is 'an@contoso.com'. Did you mean ana@contoso.com?", "ana@contoso.com")],
    matching: fixed ? 0 : 1,
    counts: { total: 2, ready: fixed ? 2 : 1, errors: fixed ? 0 : 1, excluded: 0 },
    headers: file.headers,
    mapping: file.mapping,
  };
}

describe("Importing a file from HR", () => {
  it("reads, maps with the wizard's license, fixes a row with the closest user and plans the rows", async () => {
    const user = userEvent.setup();
    const importCheck = vi.fn<Api["importCheck"]>(() => Promise.resolve(rows(false)));
    const importFix = vi.fn<Api["importFix"]>(() => Promise.resolve(rows(true)));
    const importPlan = vi.fn<Api["importPlan"]>(() =>
      Promise.resolve({ plan: { people: [], seats: [] }, planNames: {}, groupNames: {}, leftAlone: [], approval: null, appSwitches: {}, usageLocationsBefore: {} }),
    );
    const api = fakeApi(
      () => Promise.resolve([plan({ skuId: E3, skuPartNumber: "SPE_E3", displayName: "Microsoft 365 E3", free: 5 })]),
      undefined,
      { importChooseFile: () => Promise.resolve(file), importCheck, importFix, importPlan },
    );
    render(
      <ApiContext.Provider value={api}>
        <I18nProvider locale="en">
          <ImportPage />
        </I18nProvider>
      </ApiContext.Provider>,
    );

    await user.click(await screen.findByRole("button", { name: "Choose a file…" }));
    expect(await screen.findByText("starters.csv: 2 rows after the header.")).toBeTruthy();
    // A formula-looking cell is shown as the text it is.
    expect(screen.getByText("=HYPERLINK(\"x\")")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Next" }));

    // No license column: Next waits for the license every row gets.
    const next = screen.getByRole("button", { name: "Next" });
    expect(next.hasAttribute("disabled") || next.getAttribute("aria-disabled") === "true").toBe(true);
    await user.click(screen.getByRole("combobox", { name: /License for every row/ }));
    await user.click(await screen.findByRole("option", { name: /Microsoft 365 E3/ }));
    await user.click(screen.getByRole("button", { name: "Next" }));
    expect(importCheck).toHaveBeenCalledWith(file.mapping, "SPE_E3", null, { problemsOnly: true, offset: 0, limit: 50 });

    expect(await screen.findByText("1 of 2 rows ready · 1 with errors · 0 left out")).toBeTruthy();
    expect(screen.getByText("Give Microsoft 365 E3")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Use ana@contoso.com" }));
    expect(importFix).toHaveBeenCalledWith(3, "user", "ana@contoso.com", { problemsOnly: true, offset: 0, limit: 50 });
    expect(await screen.findByText("2 of 2 rows ready · 0 with errors · 0 left out")).toBeTruthy();

    await user.click(screen.getByRole("button", { name: "Review 2 rows" }));
    expect(importPlan).toHaveBeenCalledWith("nobody");
  });

  it("says why a file cannot be read and stays on the first step", async () => {
    const user = userEvent.setup();
    const api = fakeApi(() => Promise.resolve([]), undefined, {
      importChooseFile: () =>
        Promise.reject({ code: "import.unreadable", message: "This is not a list of people: it looks like a binary file.", details: null }),
    });
    render(
      <ApiContext.Provider value={api}>
        <I18nProvider locale="en">
          <ImportPage />
        </I18nProvider>
      </ApiContext.Provider>,
    );
    await user.click(await screen.findByRole("button", { name: "Choose a file…" }));
    expect(await screen.findByText(/it looks like a binary file/)).toBeTruthy();
    expect(screen.getByRole("button", { name: "Choose a file…" })).toBeTruthy();
  });
});
