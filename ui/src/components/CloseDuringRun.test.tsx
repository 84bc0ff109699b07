import { describe, expect, it, vi } from "vitest";
import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { App } from "../App";
import { fakeApi, plan } from "../test/fixtures";

describe("Closing the window while changes are being applied", () => {
  it("asks first: keep working leaves everything running, stop and close cancels the run and quits", async () => {
    const user = userEvent.setup();
    let ask: (() => void) | undefined;
    const stopRunAndQuit = vi.fn(() => new Promise<void>(() => {}));
    const api = fakeApi(() => Promise.resolve([plan({})]), undefined, {
      onCloseRequested: (listener) => {
        ask = listener;
        return () => {};
      },
      stopRunAndQuit,
    });
    render(<App api={api} locale="en" />);
    await screen.findByText("Microsoft 365 E3");
    expect(screen.queryByTestId("close-during-run")).toBeNull();

    act(() => ask?.());
    expect(await screen.findByText("Changes are still being applied")).toBeTruthy();
    await user.click(screen.getByTestId("close-keep"));
    expect(screen.queryByText("Changes are still being applied")).toBeNull();
    expect(stopRunAndQuit).not.toHaveBeenCalled();

    act(() => ask?.());
    await user.click(await screen.findByTestId("close-stop"));
    expect(stopRunAndQuit).toHaveBeenCalledTimes(1);
    expect(await screen.findByText(/Stopping: what was sent is finished first/)).toBeTruthy();
  });
});
