#!/usr/bin/env bash
# Test-only tools that are not build dependencies. Idempotent: a warm machine
# only runs one `python3 -c import` check.
#   aiosmtpd   the real SMTP server the notifier e2e test mails to
#              (python3 -m aiosmtpd ... -c aiosmtpd.handlers.Mailbox DIR)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

if python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
  log "aiosmtpd: present ($(command -v python3))"
  exit 0
fi
log "aiosmtpd: installing for $(command -v python3)"
if python3 -m pip install --quiet aiosmtpd >/dev/null 2>&1; then
  :
elif [[ "$(command -v python3)" == /usr/bin/python3 ]]; then
  # Debian's own Python refuses pip (PEP 668); its package is the same server.
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends python3-aiosmtpd
else
  die "cannot install aiosmtpd for $(command -v python3) (pip failed)"
fi
python3 -c 'import aiosmtpd' || die "aiosmtpd still not importable by $(command -v python3)"
log "aiosmtpd: installed"
