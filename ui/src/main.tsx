import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import "./global.css";
import { CrashBoundary } from "./components/CrashBoundary";
import { keepRootDummiesOutOfTabOrder } from "./focusOrder";

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
