#!/usr/bin/env bash
# Installs the system packages the tool and its tests need when they are absent (Debian/Ubuntu):
# Chromium (the browser the extension is loaded into), espeak-ng + sox (test speech), PulseAudio
# (the benches' private microphone and speaker). libxml2-utils (xmllint: the voice tests' JUnit file is validated against its schema). Does nothing when everything is present.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || [ -n "${CHROME_PATH:-}" ] || missing+=(chromium)
command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
command -v sox >/dev/null 2>&1 || missing+=(sox)
command -v pulseaudio >/dev/null 2>&1 || missing+=(pulseaudio)
command -v parec >/dev/null 2>&1 || missing+=(pulseaudio-utils)
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
[ "${#missing[@]}" -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Missing: ${missing[*]}. Install them with your system's package manager (no apt-get here)." >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "Installing: ${missing[*]}"
$SUDO apt-get update
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
