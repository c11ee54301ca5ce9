#!/usr/bin/env bash
# make-debian-image.sh - build a realistic ext4 test image for hexz.
#
# Usage:
#   make-debian-image.sh OUT.img [SIZE] [CACHE_DIR]            full Debian bookworm root (>= 500 MB used)
#   make-debian-image.sh --small OUT.img [SIZE] [CACHE_DIR]    subset (/etc + /usr/share/doc), default SIZE 64M
#
# SIZE defaults to 2G (full) / 64M (--small). CACHE_DIR defaults to
# /var/cache/hexz-test/debian-root; the debootstrapped tree is reused when the
# stamp file "$CACHE_DIR.complete" matches the current configuration.
#
# Environment overrides:
#   HEXZ_DEBIAN_MIRROR   mirror URL (default http://deb.debian.org/debian, falls back
#                        to the first Debian URI in /etc/apt/sources.list*)
#   HEXZ_MIN_ROOT_MB     minimum used size of the full root in MB (default 500)
#
# Must run as root (debootstrap). Installs debootstrap/e2fsprogs/wget via apt-get if missing.
set -euo pipefail

SUITE=bookworm
VARIANT=default   # "default" = required + important priority packages
INCLUDE="locales-all,perl,python3,python3-pip,man-db,gcc,g++,make,git,vim,curl,openssh-client,iproute2,systemd-sysv,xz-utils,bzip2,file"
FS_UUID=6a2c1f8e-5b0d-4c3e-9f71-0d8e4b2a1c55
HASH_SEED=3f0e9c1a-7d42-4b8e-a6c5-1e2d3b4c5d6e
FAKE_TIME=1700000000
# Source-tree atimes are pinned to a time in the future once, when a tree is
# created: with relatime, later reads (cp, mkfs -d) then leave them alone, so
# rebuilding an image from the same cached tree gives identical bytes.
PIN_ATIME=2145916800   # 2038-01-01T00:00:00Z
MIN_MB=${HEXZ_MIN_ROOT_MB:-500}

die() { echo "make-debian-image: $*" >&2; exit 1; }
log() { echo "make-debian-image: $*" >&2; }

MODE=full
if [[ ${1:-} == --small ]]; then MODE=small; shift; fi
[[ $# -ge 1 && $# -le 3 ]] || { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
OUT=$1
if [[ $MODE == small ]]; then SIZE=${2:-64M}; else SIZE=${2:-2G}; fi
CACHE_DIR=${3:-/var/cache/hexz-test/debian-root}
CACHE_DIR=${CACHE_DIR%/}
STAMP="$CACHE_DIR.complete"

[[ $(id -u) -eq 0 ]] || die "must run as root"

START=$(date +%s.%N)

# --- tools -----------------------------------------------------------------
need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v mkfs.ext4   >/dev/null || need+=(e2fsprogs)
command -v wget        >/dev/null || need+=(wget)
if ((${#need[@]})); then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${need[@]}" debian-archive-keyring ca-certificates
fi

# --- mirror ----------------------------------------------------------------
reachable() { wget -q -T 15 -t 2 -O /dev/null "$1/dists/$SUITE/Release"; }
pick_mirror() {
  if [[ -n ${HEXZ_DEBIAN_MIRROR:-} ]]; then echo "$HEXZ_DEBIAN_MIRROR"; return; fi
  local m=http://deb.debian.org/debian
  if reachable "$m"; then echo "$m"; return; fi
  local u
  for u in $( (grep -hE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
                 /etc/apt/sources.list.d/*.sources 2>/dev/null || true) \
              | grep -oE 'https?://[^ ]+' | grep -v -- '-security' | grep -E '/debian/?$'); do
    u=${u%/}
    if reachable "$u"; then echo "$u"; return; fi
  done
  die "no reachable Debian mirror (set HEXZ_DEBIAN_MIRROR)"
}

# --- debootstrap (cached) --------------------------------------------------
CONFIG="suite=$SUITE variant=$VARIANT include=$INCLUDE"
if [[ -d $CACHE_DIR && -f $STAMP && $(head -n1 "$STAMP") == "$CONFIG" ]]; then
  log "reusing cached root $CACHE_DIR"
else
  MIRROR=$(pick_mirror)
  log "debootstrapping $SUITE ($VARIANT +$INCLUDE) from $MIRROR into $CACHE_DIR"
  rm -f "$STAMP"
  rm -rf "$CACHE_DIR" "$CACHE_DIR.tmp"
  mkdir -p "$(dirname "$CACHE_DIR")"
  vopt=(); [[ $VARIANT == default ]] || vopt=(--variant="$VARIANT")
  debootstrap "${vopt[@]}" --include="$INCLUDE" "$SUITE" "$CACHE_DIR.tmp" "$MIRROR"
  # make sure nothing is left mounted inside the tree
  for mp in proc sys dev/pts dev; do
    mountpoint -q "$CACHE_DIR.tmp/$mp" && umount -l "$CACHE_DIR.tmp/$mp" || true
  done
  # drop downloaded .debs and apt lists: not part of an installed system's typical data
  rm -f "$CACHE_DIR.tmp"/var/cache/apt/archives/*.deb
  rm -rf "$CACHE_DIR.tmp"/var/lib/apt/lists/*_{Packages,Release,InRelease}* 2>/dev/null || true
  mv "$CACHE_DIR.tmp" "$CACHE_DIR"
  used_mb=$(du -sxm "$CACHE_DIR" | cut -f1)
  ((used_mb >= MIN_MB)) || die "root is only ${used_mb} MB (< ${MIN_MB} MB); add packages to INCLUDE"
  { echo "$CONFIG"; echo "mirror=$MIRROR"; echo "used_mb=$used_mb"; date -u +%FT%TZ; } > "$STAMP"
fi
if ! grep -qx atime_pinned "$STAMP"; then
  find "$CACHE_DIR" -xdev -exec touch -h -a -d "@$PIN_ATIME" {} +
  echo atime_pinned >> "$STAMP"
fi

# --- source tree for the image ----------------------------------------------
SRC=$CACHE_DIR
if [[ $MODE == small ]]; then
  SRC="$CACHE_DIR-small"
  if [[ ! -f "$SRC.complete" || "$SRC.complete" -ot "$STAMP" ]]; then
    log "preparing subset tree $SRC (/etc + /usr/share/doc)"
    rm -rf "$SRC" "$SRC.complete"
    mkdir -p "$SRC/usr/share"
    cp -a "$CACHE_DIR/etc" "$SRC/etc"
    cp -a "$CACHE_DIR/usr/share/doc" "$SRC/usr/share/doc"
    find "$SRC" -xdev -exec touch -h -a -d "@$PIN_ATIME" {} +
    touch "$SRC.complete"
  fi
fi

# --- mkfs -------------------------------------------------------------------
mkdir -p "$(dirname "$OUT")"
rm -f "$OUT" "$OUT.tmp"
truncate -s "$SIZE" "$OUT.tmp"
log "mkfs.ext4 $OUT ($SIZE) from $SRC"
E2FSPROGS_FAKE_TIME=$FAKE_TIME SOURCE_DATE_EPOCH=$FAKE_TIME \
  mkfs.ext4 -F -q -L hexz-test -U "$FS_UUID" \
    -E "root_owner=0:0,hash_seed=$HASH_SEED,lazy_itable_init=1,nodiscard" \
    -d "$SRC" "$OUT.tmp" "$SIZE"
mv "$OUT.tmp" "$OUT"

END=$(date +%s.%N)
echo "elapsed: $(awk -v a="$START" -v b="$END" 'BEGIN{printf "%.1f s", b-a}')"
echo "root used: $(du -sh "$SRC" | cut -f1) ($SRC)"
echo "image: $(ls -ls "$OUT")"
