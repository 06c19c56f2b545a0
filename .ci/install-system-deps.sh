#!/usr/bin/env bash
# install-system-deps.sh: installs, from Debian packages, every system tool the Petrel tests,
# interop tests, benchmarks and demo use. Idempotent: safe to run any number of times, as root,
# on a fresh Debian 12 machine or on one where everything is already present.
#
#   iproute2 procps strace tcpdump   netns/veth plumbing, process checks, debugging
#   frr                              FRR 8.4 (zebra + bgpd, run by hand per namespace)
#   bird2                            BIRD 2.0 (/usr/sbin/bird, /usr/sbin/birdc)
#   bird (1.6, what calico-node ships) conflicts with bird2, so it is NOT installed: its .deb is
#                                    downloaded and unpacked into $PETREL_BIRD1_DIR
#                                    (default /opt/petrel-peers/bird1): binaries at
#                                    $PETREL_BIRD1_DIR/usr/sbin/{bird,birdc,bird6,birdc6}
#   exabgp gobgpd openbgpd           further peers for interop tests and benchmarks (when Debian has them)
#
# Services: package post-install scripts would start frr/bird/openbgpd/exabgp in the root namespace.
# We do not want that (tests run their own instances in namespaces), so a temporary policy-rc.d
# forbids service starts during the install when the machine has none.
set -euo pipefail

BIRD1_DIR="${PETREL_BIRD1_DIR:-/opt/petrel-peers/bird1}"
export DEBIAN_FRONTEND=noninteractive

if [ "$(id -u)" -ne 0 ]; then
  echo "install-system-deps: must run as root" >&2
  exit 1
fi

POLICY=/usr/sbin/policy-rc.d
CREATED_POLICY=0
if [ ! -e "$POLICY" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$POLICY"
  chmod 755 "$POLICY"
  CREATED_POLICY=1
fi
cleanup() {
  if [ "$CREATED_POLICY" = 1 ]; then rm -f "$POLICY"; fi
}
trap cleanup EXIT

apt-get update -qq

# Packages that must be present; missing ones fail the script. gcc, libc6-dev, make and python3 build the
# native socket-options addon (native/, node-gyp during npm ci).
REQUIRED=(iproute2 procps strace frr bird2 libreadline8 libtinfo6 ca-certificates gcc libc6-dev make python3)
# Packages used when Debian has them (checked with apt-cache policy).
OPTIONAL=(tcpdump exabgp gobgpd openbgpd)

has_candidate() {
  local cand
  cand="$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')"
  [ -n "$cand" ] && [ "$cand" != "(none)" ]
}

TO_INSTALL=("${REQUIRED[@]}")
for p in "${OPTIONAL[@]}"; do
  if has_candidate "$p"; then
    TO_INSTALL+=("$p")
  else
    echo "install-system-deps: $p is not available from Debian here; skipped" >&2
  fi
done
apt-get install -y -qq --no-install-recommends "${TO_INSTALL[@]}" >/dev/null

# FRR refuses to run its daemons as root unless root is in group frrvty.
if getent group frrvty >/dev/null && ! id -nG root | tr ' ' '\n' | grep -qx frrvty; then
  usermod -a -G frrvty root
fi

# OpenBGPD chroots into its runtime directory.
if has_candidate openbgpd; then mkdir -p /run/openbgpd; fi

# BIRD 1.6: unpack the .deb (bird conflicts with bird2). Re-unpack only when the version changed.
BIRD1_VER="$(apt-cache policy bird | awk '/Candidate:/ {print $2}')"
if [ -z "$BIRD1_VER" ] || [ "$BIRD1_VER" = "(none)" ]; then
  echo "install-system-deps: Debian package bird (1.6) not found" >&2
  exit 1
fi
if [ ! -x "$BIRD1_DIR/usr/sbin/bird" ] || [ "$(cat "$BIRD1_DIR/.version" 2>/dev/null)" != "$BIRD1_VER" ]; then
  TMP="$(mktemp -d)"
  # apt-get download drops privileges to _apt, which needs to write the target directory.
  if id _apt >/dev/null 2>&1; then chown _apt "$TMP"; fi
  (cd "$TMP" && apt-get download -qq "bird=$BIRD1_VER")
  rm -rf "$BIRD1_DIR"
  mkdir -p "$BIRD1_DIR"
  dpkg -x "$TMP"/bird_*.deb "$BIRD1_DIR"
  echo "$BIRD1_VER" >"$BIRD1_DIR/.version"
  rm -rf "$TMP"
fi

echo "install-system-deps: done"
echo "  frr       $(dpkg-query -W -f='${Version}' frr)"
echo "  bird2     $(dpkg-query -W -f='${Version}' bird2)"
echo "  bird 1.6  $(cat "$BIRD1_DIR/.version") in $BIRD1_DIR"
for p in exabgp gobgpd openbgpd tcpdump; do
  v="$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || true)"
  echo "  $p ${v:-not installed}"
done
