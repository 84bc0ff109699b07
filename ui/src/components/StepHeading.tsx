import { useEffect, useRef, type ReactNode } from "react";
import { makeStyles, typographyStyles } from "@fluentui/react-components";

const useStyles = makeStyles({
  heading: { ...typographyStyles.title2, margin: 0, outlineOffset: "4px" },
});

/// A step's heading that takes the keyboard's focus when the step appears: after Give,
/// Review or Apply the button pressed is gone, and focus must not fall back to the top of the
/// page (a keyboard or screen-reader user would have to find their place again).
export function StepHeading({ id, children }: { id: string; children: ReactNode }) {
  const styles = useStyles();
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, []);
  return (
    <h2 id={id} tabIndex={-1} ref={ref} className={styles.heading}>
      {children}
    </h2>
  );
}
