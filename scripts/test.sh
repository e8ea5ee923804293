#!/usr/bin/env bash
# Runs kyso's whole test suite against the real parts it checks with:
# SoftHSM2 (PKCS#11 tokens), poppler's pdfsig/pdftotext/pdftoppm, NSS certutil,
# qpdf, zbarimg, headless Chromium and PostgreSQL (the registry tests start a
# throwaway server from its binaries, as user postgres when run as root, unless
# KYSO_TEST_POSTGRES names one). Missing Debian packages are installed when running as root.
# Extra arguments go to 'go test' (e.g. -run TestDemo -v).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v softhsm2-util >/dev/null || need+=(softhsm2)
command -v pdfsig >/dev/null && command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null || need+=(poppler-utils)
command -v certutil >/dev/null || need+=(libnss3-tools)
command -v qpdf >/dev/null || need+=(qpdf)
command -v zbarimg >/dev/null || need+=(zbar-tools)
command -v chromium >/dev/null || need+=(chromium)
command -v openssl >/dev/null || need+=(openssl)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing: ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "missing tools (install the Debian packages ${need[*]}); the tests that need them will be skipped, or fail under CI=true" >&2
  fi
fi

go vet ./...
go test -count=1 -timeout 20m "$@" ./...
