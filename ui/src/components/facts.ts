import { makeStyles, tokens } from "@fluentui/react-components";

/// A short list of facts as terms and values side by side (`<dl>`), as the Sign in page and
/// Settings show a policy, paths and versions. `code` sets a value in the monospace font.
export const useFactStyles = makeStyles({
  list: {
    display: "grid",
    gridTemplateColumns: "max-content 1fr",
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
    "& dd": { margin: 0, overflowWrap: "anywhere" },
    "& dt": { color: tokens.colorNeutralForeground3 },
  },
  code: { fontFamily: tokens.fontFamilyMonospace },
});
