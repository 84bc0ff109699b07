import type { Role } from "../bindings/Role";
import type { RoleChoices } from "../bindings/RoleChoices";
import type { PlanChoice } from "../bindings/PlanChoice";
import type { Messages } from "../i18n/en";

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/// The plan a role's entry names (by id, part number or friendly name).
export function planOf(choices: RoleChoices | undefined, key: string): PlanChoice | undefined {
  return choices?.plans.find((p) => same(p.skuId, key) || same(p.partNumber, key) || same(p.name, key));
}

/// What a role gives, in words: its plans by name with the apps switched off, and the groups
/// it joins ("Gives Microsoft 365 E3 without Sway + joins “Sales”").
export function roleWords(role: Role, choices: RoleChoices | undefined, t: Messages): string {
  const r = t.roles;
  const parts = [
    ...role.plans.map((p) => {
      const plan = planOf(choices, p.sku);
      const apps = p.disabledPlans.map((d) => plan?.apps.find((a) => same(a.technicalName, d))?.name ?? d);
      return apps.length > 0 ? r.without(plan?.name ?? p.sku, apps.join(", ")) : (plan?.name ?? p.sku);
    }),
    ...role.groups.map((g) => r.joins(`“${choices?.groups.find((c) => same(c.key, g))?.displayName ?? g}”`)),
  ];
  return r.gives(parts.join(" + "));
}
