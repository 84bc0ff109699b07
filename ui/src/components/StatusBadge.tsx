import type { ReactElement } from "react";
import { Badge } from "@fluentui/react-components";
import {
  CheckmarkCircle12Filled,
  Clock12Filled,
  DismissCircle12Filled,
  Pause12Filled,
  QuestionCircle12Filled,
} from "@fluentui/react-icons";
import type { CapabilityStatus } from "../bindings/CapabilityStatus";
import { useI18n } from "../i18n";

const look: Record<
  CapabilityStatus,
  { color: "success" | "warning" | "danger" | "informative"; icon: ReactElement }
> = {
  Enabled: { color: "success", icon: <CheckmarkCircle12Filled /> },
  Warning: { color: "warning", icon: <Clock12Filled /> },
  Suspended: { color: "danger", icon: <Pause12Filled /> },
  Deleted: { color: "danger", icon: <DismissCircle12Filled /> },
  LockedOut: { color: "danger", icon: <DismissCircle12Filled /> },
  Unknown: { color: "informative", icon: <QuestionCircle12Filled /> },
};

/// A subscription's state in words and an icon: colour is never the only signal.
export function StatusBadge({ status }: { status: CapabilityStatus }) {
  const { t } = useI18n();
  const { color, icon } = look[status];
  return (
    <Badge appearance="tint" color={color} icon={icon} data-testid="plan-status" data-status={status}>
      {t.status[status]}
    </Badge>
  );
}
