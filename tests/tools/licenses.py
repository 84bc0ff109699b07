#!/usr/bin/env python3
"""The open-source parts LicenseDesk ships, with their licences, for the About box.

Reads what the app really bundles: the Rust crates the desktop app links on Linux (normal
dependencies only: no build scripts, tests or other platforms) from `cargo metadata`, and the
npm packages the web UI ships (not its development tools) from ui/package-lock.json. Writes
ui/src/generated/licenses.json; with --check, fails when that file is not what it would write
(a dependency changed without the list).

Usage: python3 tests/tools/licenses.py [--check]
"""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "ui/src/generated/licenses.json"


def rust_crates():
    meta = json.loads(
        subprocess.run(
            ["cargo", "metadata", "--format-version", "1", "--locked",
             "--filter-platform", "x86_64-unknown-linux-gnu"],
            cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout
    )
    packages = {p["id"]: p for p in meta["packages"]}
    members = set(meta["workspace_members"])
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    root = next(i for i in members if packages[i]["name"] == "licensedesk")
    seen, queue = set(), [root]
    while queue:
        node = nodes[queue.pop()]
        for dep in node["deps"]:
            if any(k["kind"] is None for k in dep["dep_kinds"]) and dep["pkg"] not in seen:
                seen.add(dep["pkg"])
                queue.append(dep["pkg"])
    return sorted(
        ({"name": packages[i]["name"], "version": packages[i]["version"],
          "license": packages[i].get("license") or "see its repository"}
         for i in seen if i not in members and not packages[i]["name"].startswith("licensedesk")),
        key=lambda p: (p["name"], p["version"]),
    )


def npm_packages():
    lock = json.loads((ROOT / "ui/package-lock.json").read_text())
    out = []
    for path, p in lock["packages"].items():
        if not path or p.get("dev") or p.get("devOptional") or "node_modules/" not in path:
            continue
        name = path.rsplit("node_modules/", 1)[1]
        license = p.get("license") or "see its repository"
        out.append({"name": name, "version": p.get("version", ""), "license": license})
    return sorted(out, key=lambda p: (p["name"], p["version"]))


def main():
    text = json.dumps({"rust": rust_crates(), "npm": npm_packages()}, indent=1) + "\n"
    if "--check" in sys.argv:
        if not OUT.exists() or OUT.read_text() != text:
            print(f"{OUT.relative_to(ROOT)} is out of date: run `python3 tests/tools/licenses.py`")
            sys.exit(1)
        return
    OUT.write_text(text)
    print(f"wrote {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
