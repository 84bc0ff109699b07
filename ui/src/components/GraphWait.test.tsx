import { describe, expect, it } from "vitest";
import { act, render, screen } from "@testing-library/react";
import { App } from "../App";
import { fakeApi, plan } from "../test/fixtures";

describe("When Microsoft Graph asks LicenseDesk to wait", () => {
  it("says so in a banner for as long as the wait lasts, and stops listening when closed", async () => {
    let tell: ((seconds: number) => void) | undefined;
    let listening = 0;
    const api = fakeApi(() => Promise.resolve([plan({})]), undefined, {
      onGraphWait: (listener) => {
        tell = listener;
        listening += 1;
        return () => {
          listening -= 1;
        };
      },
    });
    const { unmount } = render(<App api={api} locale="en" />);
    await screen.findByText("Microsoft 365 E3");
    expect(screen.queryByRole("status", { name: /wait/i })).toBeNull();

    act(() => tell?.(1));
    expect(
      screen.getByText("Microsoft 365 asked LicenseDesk to wait 1 second (too many requests at once). It carries on by itself; nothing is lost."),
    ).toBeTruthy();
    // The banner goes when the wait is over.
    await act(() => new Promise((r) => setTimeout(r, 1100)));
    expect(screen.queryByText(/asked LicenseDesk to wait/)).toBeNull();

    expect(listening).toBe(1);
    unmount();
    expect(listening).toBe(0);
  });
});
