import { Component, type ErrorInfo, type ReactNode } from "react";
import { en } from "../i18n/en";
import { nl } from "../i18n/nl";
import { pickLanguage } from "../i18n";

/// Last line of defence: a rendering bug shows a message instead of a blank window. Plain
/// markup and the message files read directly (no provider or theme): either may be what
/// failed.
export class CrashBoundary extends Component<{ children: ReactNode }, { error?: Error }> {
  state: { error?: Error } = {};

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  componentDidCatch(error: Error, info: ErrorInfo) {
    console.error("LicenseDesk crashed while drawing the screen", error, info.componentStack);
  }

  render() {
    if (!this.state.error) return this.props.children;
    const t = pickLanguage(navigator.language) === "nl" ? nl : en;
    return (
      <div role="alert" style={{ padding: 32, fontFamily: "system-ui, sans-serif" }}>
        <h1 style={{ fontSize: 20 }}>{t.crash.title}</h1>
        <p>{t.crash.body}</p>
        <pre style={{ whiteSpace: "pre-wrap" }}>{String(this.state.error)}</pre>
      </div>
    );
  }
}
