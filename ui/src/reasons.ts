import type { Failure } from "./bindings/Failure";
import type { Reason } from "./bindings/Reason";
import type { IssueCode } from "./bindings/IssueCode";
import type { Messages } from "./i18n";

/// A planner's reason in the UI's language. `plan` and `group` put names on ids.
export function reasonText(
  reason: Reason,
  t: Messages,
  plan: (skuId: string) => string,
  group: (groupId: string) => string,
): string {
  const r = t.reasons;
  switch (reason.code) {
    case "alreadyHasIt":
      return r.alreadyHasIt(plan(reason.skuId));
    case "appsAlreadySo":
      return r.appsAlreadySo(plan(reason.skuId));
    case "doesNotHaveIt":
      return r.doesNotHaveIt(plan(reason.skuId));
    case "noUsageLocation":
      return r.noUsageLocation;
    case "fromGroup":
      return r.fromGroup(plan(reason.skuId), group(reason.groupId));
    case "unknownPlan":
      return r.unknownPlan;
    case "notForPeople":
      return r.notForPeople(plan(reason.skuId));
    case "planNotActive":
      return r.planNotActive(plan(reason.skuId));
    case "planConflict":
      return r.planConflict(plan(reason.skuId), reason.plans.join(" + "));
    case "noSeat":
      return r.noSeat(plan(reason.skuId));
    case "nothingAsked":
      return r.nothingAsked;
    case "alreadyInGroup":
      return r.alreadyInGroup(group(reason.groupId));
    case "notInGroup":
      return r.notInGroup(group(reason.groupId));
    case "dynamicGroup":
      return r.dynamicGroup(group(reason.groupId));
  }
}

/// Why a change failed, in the UI's language; `null` when only the engine's English words say
/// it (an unexpected failure).
export function failureText(failure: Failure, t: Messages, plan: (skuId: string) => string): string | null {
  const f = t.result.failures;
  switch (failure.code) {
    case "usageLocationMissing":
      return f.usageLocationMissing;
    case "noFreeSeat":
      return f.noFreeSeat(failure.skuId ? plan(failure.skuId) : f.thisPlan);
    case "fromGroup":
      return f.fromGroup;
    case "mutuallyExclusive":
      return f.mutuallyExclusive;
    case "dependencyMissing":
      return f.dependencyMissing;
    case "forbidden":
      return f.forbidden;
    case "notFound":
      return f.notFound;
    case "busy":
      return f.busy;
    case "other":
      return null;
  }
}

/// A row of an HR file: what is wrong with it, in the UI's language.
export function issueText(code: IssueCode, t: Messages): string {
  const i = t.import.issues;
  switch (code.kind) {
    case "nothingToDo":
      return i.nothingToDo;
    case "noUser":
      return i.noUser;
    case "unknownUser":
      return i.unknownUser(code.value, code.near);
    case "ukIsGb":
      return i.ukIsGb;
    case "unknownCountry":
      return i.unknownCountry(code.value, code.suggestions);
    case "ambiguousCountry":
      return i.ambiguousCountry(code.value, code.codes);
    case "notAnAction":
      return i.notAnAction(code.value);
    case "notForPeople":
      return i.notForPeople(code.license);
    case "unknownLicense":
      return i.unknownLicense(code.value, code.candidates);
    case "ambiguousLicense":
      return i.ambiguousLicense(code.value, code.candidates);
    case "notAnApp":
      return i.notAnApp(code.value);
    case "sameAsLine":
      return i.sameAsLine(code.line);
    case "differentInstructions":
      return i.differentInstructions(code.lines);
    case "unknownRole":
      return i.unknownRole(code.value, code.known);
    case "brokenRole":
      return i.brokenRole(code.value, code.problem);
    case "roleJoinsGroups":
      return i.roleJoinsGroups(code.value);
  }
}
