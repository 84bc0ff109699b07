import { Component, type ErrorInfo, type ReactNode } from "react";

/// Last line of defence: a rendering bug shows a message instead of a blank window. Plain
/// markup and English on purpose: the theme or the messages may be what failed.
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
    return (
      <div role="alert" style={{ padding: 32, fontFamily: "system-ui, sans-serif" }}>
        <h1 style={{ fontSize: 20 }}>LicenseDesk could not draw this screen</h1>
        <p>Nothing was changed in Microsoft 365. Restart LicenseDesk; if this happens again, report it with the text below.</p>
        <pre style={{ whiteSpace: "pre-wrap" }}>{String(this.state.error)}</pre>
      </div>
    );
  }
}
