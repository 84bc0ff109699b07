#!/usr/bin/env python3
"""Regenerate the facts LicenseDesk keeps from Microsoft's licensing CSV.

The CSV itself is never committed (Microsoft updates it and it is large). This script takes the
few facts the project needs from a local copy and writes them into the source tree:

- graph-sim's demo catalog: the SKUs the demo tenant owns, with their real service plans;
- licensing's friendly-name table for common SKUs.

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


def main(path: str) -> None:
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = [{k.strip(): clean(v) for k, v in r.items()} for r in csv.DictReader(f)]
    by_part: dict[str, dict] = {}
    for r in rows:
        sku = by_part.setdefault(r["String_Id"], {
            "skuId": r["GUID"], "skuPartNumber": r["String_Id"],
            "displayName": r["Product_Display_Name"], "servicePlans": [],
        })
        if sku["skuId"] != r["GUID"]:
            continue  # MCOPSTN5 has two GUIDs; none of ours do
        plan = {"servicePlanId": r["Service_Plan_Id"], "servicePlanName": r["Service_Plan_Name"]}
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
    print(f"wrote {out} ({len(catalog)} SKUs) and {names} ({len(NAMED_SKUS)} names)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT.parent / "shared/data/licensing-products.csv"))
