#!/usr/bin/env bash
# Installs the system packages the tests need (PostgreSQL server binaries, Prometheus
# Alertmanager, Go with golang.org/x/mod for the independent log check, Chromium for the
# browser tests) when they are
# missing and we are root; otherwise names them.
# `... bench` adds what the benchmarks need (wrk). Safe to re-run.
set -euo pipefail

missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
command -v prometheus-alertmanager >/dev/null || missing+=(prometheus-alertmanager)
command -v go >/dev/null || missing+=(golang-go)
[ -d /usr/share/gocode/src/golang.org/x/mod/sumdb ] || missing+=(golang-golang-x-mod-dev)
# The browser tests drive the system Chromium through Playwright.
command -v chromium >/dev/null || missing+=(chromium)
if [ "${1:-}" = "bench" ]; then
  command -v wrk >/dev/null || missing+=(wrk)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "please install these system packages, then re-run: ${missing[*]}" >&2
  exit 1
fi
