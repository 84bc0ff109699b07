import { useCallback, useState } from "react";

export type CopyState = "idle" | "copied" | "failed";

/// Copies text to the clipboard and remembers how it went, so the button can say so: a copy
/// that silently did nothing would leave someone pasting an old value.
export function useCopy(): { state: CopyState; copy: (text: string) => void; reset: () => void } {
  const [state, setState] = useState<CopyState>("idle");
  const copy = useCallback((text: string) => {
    const clipboard = navigator.clipboard as Clipboard | undefined;
    if (!clipboard) {
      setState("failed");
      return;
    }
    clipboard.writeText(text).then(
      () => setState("copied"),
      () => setState("failed"),
    );
  }, []);
  const reset = useCallback(() => setState("idle"), []);
  return { state, copy, reset };
}
