#!/usr/bin/env python3
"""Regenerate the facts LicenseDesk keeps from Microsoft's licensing CSV.

The CSV itself is never committed (Microsoft updates it and it is large). This script takes the
few facts the project needs from a local copy and writes them into the source tree:

- graph-sim's demo catalog: the SKUs the demo tenant owns, with their real service plans;
- licensing's friendly-name table for common SKUs;
- licensing's friendly-name table for the apps (service plans) in those SKUs.

Usage: python3 tests/tools/extract_catalog.py ../shared/data/licensing-products.csv
"""
import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The demo tenant's SKUs: a typical mid-size organisation.
DEMO_SKUS = [
    "SPE_E3", "SPE_E5", "ENTERPRISEPACK", "SPB", "EXCHANGESTANDARD", "EXCHANGEENTERPRISE",
    "POWER_BI_PRO", "VISIOCLIENT", "PROJECTPROFESSIONAL", "Teams_Ess", "FLOW_FREE",
    "AAD_PREMIUM", "MCOEV", "WINDOWS_STORE",
]

# Common SKUs whose friendly names the app knows without the full list.
NAMED_SKUS = DEMO_SKUS + [
    "O365_BUSINESS_PREMIUM", "O365_BUSINESS_ESSENTIALS", "O365_BUSINESS", "EMS", "EMSPREMIUM",
    "STANDARDPACK", "ENTERPRISEPREMIUM", "DESKLESSPACK", "SPE_F1", "M365_F1_COMM", "MCOMEETADV",
    "ATP_ENTERPRISE", "AAD_PREMIUM_P2", "INTUNE_A", "PROJECTPREMIUM", "VISIOONLINE_PLAN1",
    "PROJECT_P1", "POWERAPPS_DEV", "STREAM", "Microsoft_365_Copilot", "MCOPSTN1",
    "PHONESYSTEM_VIRTUALUSER", "RIGHTSMANAGEMENT", "POWER_BI_STANDARD", "PBI_PREMIUM_PER_USER",
    "WIN10_VDA_E3", "EXCHANGEDESKLESS", "Microsoft_Teams_Rooms_Pro", "SPE_E5_NOPSTNCONF",
]


def clean(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


SMALL_WORDS = {"FOR", "AND", "OF", "THE", "WITH", "IN", "TO"}
KEEP_UPPER = {"AI", "IT", "MFA", "P1", "P2", "P3", "E1", "E3", "E5", "F1", "F3", "PSTN", "BI", "CRM", "ATP", "VDA", "AD", "DLP"}


def friendly_case(name: str) -> str:
    """Microsoft writes some app names in capitals ("EXCHANGE ONLINE (PLAN 2)"): give those
    the case the admin center shows ("Exchange Online (Plan 2)"); other names stay as written."""
    if name != name.upper() or "_" in name:
        return name
    words = []
    for i, w in enumerate(name.split(" ")):
        core = w.strip("()")
        if core in KEEP_UPPER or not core.replace("-", "").isalpha():
            words.append(w)
        elif i > 0 and core in SMALL_WORDS:
            words.append(w.lower())
        else:
            words.append(w.replace(core, "-".join(p.capitalize() for p in core.split("-"))))
    return " ".join(words)


def main(path: str) -> None:
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = [{k.strip(): clean(v) for k, v in r.items()} for r in csv.DictReader(f)]
    by_part: dict[str, dict] = {}
    app_names: dict[str, tuple[str, str]] = {}
    for r in rows:
        sku = by_part.setdefault(r["String_Id"], {
            "skuId": r["GUID"], "skuPartNumber": r["String_Id"],
            "displayName": r["Product_Display_Name"], "servicePlans": [],
        })
        if sku["skuId"] != r["GUID"]:
            continue  # MCOPSTN5 has two GUIDs; none of ours do
        plan = {"servicePlanId": r["Service_Plan_Id"], "servicePlanName": r["Service_Plan_Name"]}
        app_names.setdefault(r["Service_Plan_Id"].lower(), (r["Service_Plan_Name"], r["Service_Plans_Included_Friendly_Names"]))
        if plan not in sku["servicePlans"]:
            sku["servicePlans"].append(plan)

    catalog = [by_part[p] for p in DEMO_SKUS]
    out = ROOT / "src-tauri/crates/graph-sim/data/catalog.json"
    out.write_text(json.dumps(catalog, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    lines = ["# skuId\tskuPartNumber\tdisplayName (from Microsoft's licensing CSV; see tests/tools)"]
    for p in NAMED_SKUS:
        s = by_part[p]
        lines.append(f"{s['skuId']}\t{s['skuPartNumber']}\t{s['displayName']}")
    names = ROOT / "src-tauri/crates/licensing/src/product_names.tsv"
    names.write_text("\n".join(lines) + "\n", encoding="utf-8")
    apps = ["# servicePlanId\tservicePlanName\tfriendly name (from Microsoft's licensing CSV; see tests/tools)"]
    ids = sorted({p["servicePlanId"].lower() for part in NAMED_SKUS for p in by_part[part]["servicePlans"]})
    for i in ids:
        name, friendly = app_names[i]
        apps.append(f"{i}\t{name}\t{friendly_case(friendly)}")
    app_file = ROOT / "src-tauri/crates/licensing/src/app_names.tsv"
    app_file.write_text("\n".join(apps) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(catalog)} SKUs), {names} ({len(NAMED_SKUS)} names) and {app_file} ({len(ids)} apps)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT.parent / "shared/data/licensing-products.csv"))
