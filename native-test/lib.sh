# Shared helpers for native tests (sourced). Expects $HEXZ (launcher) to be set.
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }
need_pkgs() {
  local missing=()
  for p in "$@"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}
# A real ext4 image from a real tree (no network needed): /usr/share of this machine, ~300 MiB of data.
make_test_image() { # OUT SIZE TREE_OUT
  local out=$1 size=$2 tree=$3
  if [ ! -d "$tree" ]; then
    mkdir -p "$tree.tmp"
    cp -a /usr/share/doc /usr/share/perl5 /usr/share/locale /usr/share/zoneinfo "$tree.tmp/" 2>/dev/null || true
    cp -a /usr/share/man "$tree.tmp/" 2>/dev/null || true
    mv "$tree.tmp" "$tree"
  fi
  mkfs.ext4 -q -F -E root_owner=0:0 -d "$tree" "$out" "$size"
}
unmount_quiet() { "$HEXZ" unmount "$1" >/dev/null 2>&1 || fusermount -u "$1" >/dev/null 2>&1 || umount -l "$1" >/dev/null 2>&1 || true; }
# pid of the hexz mount process serving MNT: its pid file (/run/hexz/mount-<sha256(MNT)[:8 bytes]>.pid)
hexz_pid() {
  local m=$1 key f
  key=$(printf '%s' "$m" | sha256sum | cut -c1-16)
  for f in "/run/hexz/mount-$key.pid" "${XDG_RUNTIME_DIR:-/nonexistent}/hexz/mount-$key.pid" "${TMPDIR:-/tmp}/hexz-run-$(id -u)/mount-$key.pid"; do
    [[ -f $f ]] && { tr -d ' \n' <"$f"; return; }
  done
  pgrep -f -- "mount --foreground .* $m( |\$)" | head -n1
}
# log file of the hexz mount process serving MNT (beside its pid file); empty if none is found
hexz_log() {
  local key f
  key=$(printf '%s' "$1" | sha256sum | cut -c1-16)
  for f in "/run/hexz/mount-$key.log" "${XDG_RUNTIME_DIR:-/nonexistent}/hexz/mount-$key.log" "${TMPDIR:-/tmp}/hexz-run-$(id -u)/mount-$key.log"; do
    [[ -f $f ]] && { echo "$f"; return; }
  done
}
# Background servers (hexz serve): started by serve, their pids in the caller's pids array.
stop_all() { local p; for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
serve() { # LOG ARGS...: starts hexz serve in the background, waits for its first line
  local log=$1; shift
  "$HEXZ" serve "$@" >"$log" 2>&1 &
  pids+=($!)
  local i
  for ((i = 0; i < 600; i++)); do
    grep -q "serving" "$log" && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || { cat "$log" >&2; fail "hexz serve $* exited"; }
    sleep 0.1
  done
  fail "hexz serve $* did not come up in 60 s"
}
stop_last() { kill -TERM "${pids[-1]}"; wait "${pids[-1]}" || true; unset 'pids[-1]'; }
