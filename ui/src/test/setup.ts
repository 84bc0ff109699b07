import { afterEach } from "vitest";
import { cleanup } from "@testing-library/react";

afterEach(() => cleanup());

// jsdom lacks matchMedia; the app follows the OS theme through it.
if (!window.matchMedia) {
  window.matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      addListener: () => undefined,
      removeListener: () => undefined,
      dispatchEvent: () => false,
    }) as MediaQueryList;
}

// jsdom lays nothing out, so every element measures 0×0 and virtualized lists would render no
// rows. Give elements a desktop-sized box so those lists show their first rows, as in the app.
for (const [name, size] of [["clientWidth", 1000], ["clientHeight", 600], ["offsetWidth", 1000], ["offsetHeight", 600]] as const) {
  Object.defineProperty(HTMLElement.prototype, name, { configurable: true, get: () => size });
}

// jsdom has no ResizeObserver; Fluent's MessageBar watches its own width to wrap its actions.
// Nothing is measured in jsdom, so an observer that never reports is what a browser would do
// for an element whose size never changes.
if (!("ResizeObserver" in globalThis)) {
  class NoResize {
    observe() {}
    unobserve() {}
    disconnect() {}
  }
  (globalThis as unknown as { ResizeObserver: typeof NoResize }).ResizeObserver = NoResize;
}
