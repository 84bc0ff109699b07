import { describe, expect, it, vi } from "vitest";
import { render, screen } from "@testing-library/react";
import { CrashBoundary } from "./CrashBoundary";

function Broken(): never {
  throw new RangeError("invalid language tag: C");
}

describe("CrashBoundary", () => {
  it("shows what went wrong instead of a blank window", () => {
    const quiet = vi.spyOn(console, "error").mockImplementation(() => undefined);
    render(
      <CrashBoundary>
        <Broken />
      </CrashBoundary>,
    );
    expect(screen.getByRole("alert").textContent).toContain("invalid language tag: C");
    quiet.mockRestore();
  });
});
