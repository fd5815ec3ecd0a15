#!/usr/bin/env bash
# Writes a new keyring (one active pseudonym key, one active contact key) to
# FILE unless it exists. For local runs and tests; production keys come from
# a secret store (see libs/privacy/README.md).
#   scripts/keyring.sh FILE
set -euo pipefail
file="${1:?usage: $0 FILE}"
[[ -s "$file" ]] && exit 0
umask 077
mkdir -p "$(dirname "$file")"
{
  echo "# purpose key-id base64-key [active]   (generated $(date -u +%FT%TZ))"
  echo "pseudonym p$(date +%Y%m%d) $(head -c 32 /dev/urandom | base64) active"
  echo "contact c$(date +%Y%m%d) $(head -c 32 /dev/urandom | base64) active"
} >"$file"
