import { describe, expect, it } from "vitest";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { App } from "./App";
import { keepRootDummiesOutOfTabOrder } from "./focusOrder";
import { contoso, fakeApi, plan } from "./test/fixtures";

describe("The tab order", () => {
  it("has no invisible stop at the ends of the window (Tabster's root dummies)", async () => {
    const stop = keepRootDummiesOutOfTabOrder(document);
    const user = userEvent.setup();
    render(<App api={fakeApi(() => Promise.resolve([plan({})]), contoso)} locale="en" />);
    await screen.findByTestId("plan-card");
    // A menu makes Tabster add its root dummies: open and close the tenant menu.
    await user.click(screen.getByTestId("tenant-menu"));
    await user.keyboard("{Escape}");
    await new Promise((r) => setTimeout(r, 50));
    const dummies = Array.from(document.body.children).filter((e) => e.hasAttribute("data-tabster-dummy"));
    expect(dummies.length).toBeGreaterThan(0);
    for (const d of dummies) expect((d as HTMLElement).tabIndex).toBe(-1);
    // Made tabbable again, it is taken back out.
    (dummies[0] as HTMLElement).tabIndex = 0;
    await new Promise((r) => setTimeout(r, 0));
    expect((dummies[0] as HTMLElement).tabIndex).toBe(-1);
    stop();
  });
});
