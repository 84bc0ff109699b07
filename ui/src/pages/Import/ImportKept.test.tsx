import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { App } from "../../App";
import type { ImportFile } from "../../bindings/ImportFile";
import { fakeApi, plan } from "../../test/fixtures";

const file: ImportFile = {
  fileName: "starters.csv",
  bytes: 80,
  encoding: "UTF-8",
  delimiter: ";",
  headerRow: 1,
  sheet: null,
  sheets: [],
  headers: ["E-mailadres", "Land"],
  sample: [["ana@contoso.com", "Nederland"]],
  rows: 1,
  mapping: { columns: ["user", "usageLocation"] },
  profile: null,
  license: null,
};

describe("The import wizard", () => {
  it("is kept as it was when the person goes to another page and comes back", async () => {
    const user = userEvent.setup();
    let chosen = 0;
    const api = fakeApi(() => Promise.resolve([plan({})]), undefined, {
      importChooseFile: () => {
        chosen += 1;
        return Promise.resolve(file);
      },
    });
    render(<App api={api} locale="en" />);
    await user.click(await screen.findByTestId("nav-import"));
    await user.click(await screen.findByRole("button", { name: "Choose a file…" }));
    expect(await screen.findByText("starters.csv: 1 row after the header.")).toBeTruthy();

    await user.click(screen.getByTestId("nav-plans"));
    expect((screen.getByTestId("import-keeper") as HTMLElement).hidden).toBe(true);
    await user.click(screen.getByTestId("nav-import"));
    // The file and the wizard's step are still there; nothing was read again.
    expect((screen.getByTestId("import-keeper") as HTMLElement).hidden).toBe(false);
    expect(screen.getByText("starters.csv: 1 row after the header.")).toBeTruthy();
    expect(chosen).toBe(1);
  });
});
