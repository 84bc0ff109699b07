import type { CommandError } from "./bindings/CommandError";
import type { Messages } from "./i18n";

/// An error from the Rust side in the window's language: its code (with its values) looked up
/// in the message file; the English Rust wrote when the code has no entry there.
export function errorText(error: CommandError, t: Messages): string {
  const words = t.errors[error.code];
  return words ? words(error.values ?? {}) : error.message;
}
