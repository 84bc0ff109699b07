#!/usr/bin/env bash
# Rewrites a .deb with xz compression (Tauri's bundler writes gzip): the same files, owners and
# control data, about a quarter smaller. Usage: repack-deb.sh FILE.deb
set -euo pipefail
deb=${1:?usage: repack-deb.sh FILE.deb}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -R "$deb" "$work/root"
dpkg-deb --root-owner-group -Zxz -z9 -Sextreme -b "$work/root" "$work/new.deb" >/dev/null
mv "$work/new.deb" "$deb"
echo "$deb: $(stat -c %s "$deb") bytes"
