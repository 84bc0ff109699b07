import { makeStyles, tokens } from "@fluentui/react-components";

/// The Groups page's views share one look: the page column, a row of controls, a bordered
/// table, a person's user principal name under their name.
export const useGroupsStyles = makeStyles({
  page: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalL,
    padding: `${tokens.spacingVerticalXL} ${tokens.spacingHorizontalXXL}`,
    maxWidth: "1200px",
  },
  bar: { display: "flex", gap: tokens.spacingHorizontalM, flexWrap: "wrap", alignItems: "flex-end" },
  tableBox: {
    overflowX: "auto",
    border: `1px solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  upn: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200, display: "block", overflowWrap: "anywhere" },
  muted: { color: tokens.colorNeutralForeground2 },
});
