import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import "./global.css";
import { CrashBoundary } from "./components/CrashBoundary";
import { keepRootDummiesOutOfTabOrder } from "./focusOrder";
import { askFirstScreen } from "./api";

// For `make bench`: when the app's script began (the plan cards are marked when drawn).
performance.mark("script-start");
askFirstScreen();
keepRootDummiesOutOfTabOrder(document);

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <CrashBoundary>
        <App />
      </CrashBoundary>
    </StrictMode>,
  );
}
