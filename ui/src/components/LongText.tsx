import { useState } from "react";
import { Button } from "@fluentui/react-components";
import { useI18n } from "../i18n";

/// A cell from a file, cut when long: a 100,000-character cell must not make a grid tens of
/// thousands of pixels tall. The whole text is one click away (and back).
export function LongText({ text, max = 160 }: { text: string; max?: number }) {
  const { t, n } = useI18n();
  const [whole, setWhole] = useState(false);
  const chars = [...text];
  if (chars.length <= max) return <>{text}</>;
  return (
    <>
      {whole ? text : `${chars.slice(0, max).join("")}…`}{" "}
      <Button appearance="transparent" size="small" onClick={() => setWhole((w) => !w)} aria-expanded={whole} data-testid="long-text-toggle">
        {whole ? t.longText.less : t.longText.all(n(chars.length))}
      </Button>
    </>
  );
}
