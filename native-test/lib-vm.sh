# lib-vm.sh - shared parts of the VM tests (t-vm-boot, t-vm-commit); sourced, not run.
#
# The caller defines log and die, and sets CACHE (e.g. /var/cache/hexz-test) and VM_TIMEOUT
# (seconds per boot) before calling anything here.
#
#   vm_tools [PKG...]          installs qemu-system-x86, busybox-static, e2fsprogs, cpio, fuse3,
#                              libfuse2, kmod and PKG... if missing
#   vm_kernel WORK             a Debian kernel and the modules the initramfs needs, cached under
#                              $CACHE/vm-kernel/VERSION; sets VM_KDIR
#   vm_initramfs WORK OUT      a busybox initramfs at OUT (and VM_INITRD=OUT): insmods
#                              virtio_pci, virtio_blk, ext4 (all modules on Debian), mounts
#                              /dev/vda read-only and switch_roots to the init= of the kernel
#                              command line (default /init)
#   vm_boot CONSOLE DRIVE APPEND
#                              boots QEMU (TCG, 256 MiB, no network) with -drive DRIVE and the
#                              kernel command line "console=ttyS0 quiet panic=-1 APPEND"; waits
#                              at most VM_TIMEOUT s; sets VM_RC (QEMU's exit status, 124 on
#                              timeout) and VM_SECONDS (QEMU start to exit)
#   vm_stop                    kills a QEMU that vm_boot left running (for the caller's trap)
#   vm_debian_init IMG MIB WORK
#                              writes /hexz-init into the ext4 image IMG (debugfs, root 0755):
#                              PID 1 on the Debian root; remounts / rw, writes MIB MiB of random
#                              data to /vm-data.bin, its sha256 to /vm-data.sha256 and the
#                              hexz_token= of the command line to /vm-marker, syncs, remounts ro,
#                              prints "hexz-init: done token=T sha256=S" and powers off
#   vm_put_init IMG SCRIPT WORK
#                              writes SCRIPT into the ext4 image IMG as /hexz-init (debugfs,
#                              root 0755; any old /hexz-init must not exist), checks it reads back
#   vm_boot_debian NAME DRIVE WORK
#                              vm_boot with init=/hexz-init and a fresh token, console at
#                              WORK/console-NAME.log; dies unless the guest finished; sets
#                              VM_GUEST_SUM, VM_GUEST_TOKEN (and VM_SECONDS)
VM_MODULES="virtio_pci virtio_blk crc32c_generic ext4"
VM_FAKE_TIME=1700000000
VM_KDIR=
VM_INITRD=
VM_QEMU_PID=
VM_RC=
VM_SECONDS=
vm_apt_updated=0

vm_pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

vm_tools() {
  local p need=()
  for p in qemu-system-x86 busybox-static e2fsprogs cpio fuse3 libfuse2 kmod "$@"; do
    vm_pkg_installed "$p" || need+=("$p")
  done
  if ((${#need[@]})); then
    log "installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq; vm_apt_updated=1
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
      || apt-get install -y -qq --no-install-recommends "${need[@]/libfuse2/libfuse2t64}" >/dev/null
  fi
  [[ -e /dev/fuse ]] || modprobe fuse 2>/dev/null || true
}

vm_kernel() {
  local work=$1 kroot="$CACHE/vm-kernel" d kpkg dl kver kdir ko m
  VM_KDIR=
  while IFS= read -r d; do
    if [[ -f $d.complete ]]; then VM_KDIR=$d; break; fi
  done < <(find "$kroot" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | sort -V -r)
  if [[ -z $VM_KDIR ]]; then
    vm_kpkg() { apt-cache depends --important linux-image-amd64 2>/dev/null \
                  | awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }'; }
    kpkg=$(vm_kpkg)
    if [[ -z $kpkg && $vm_apt_updated -eq 0 ]]; then apt-get update -qq; kpkg=$(vm_kpkg); fi
    [[ -n $kpkg ]] || die "cannot resolve linux-image-amd64 to a kernel package (apt-get update?)"
    log "downloading $kpkg (cached under $kroot)"
    dl="$work/kernel-dl"
    mkdir -p "$dl"; chmod 777 "$dl"
    (cd "$dl" && apt-get download -q "$kpkg" >"$dl/apt.log" 2>&1) || { cat "$dl/apt.log" >&2; die "apt-get download $kpkg failed"; }
    dpkg-deb -x "$dl"/"$kpkg"_*.deb "$dl/x"
    kver=$(ls "$dl/x/lib/modules")
    [[ -n $kver && -f $dl/x/boot/vmlinuz-$kver ]] || die "no vmlinuz in $kpkg"
    depmod -b "$dl/x" "$kver"
    kdir="$kroot/$kver"
    rm -rf "$kdir" "$kdir.complete" "$kdir.tmp"
    mkdir -p "$kdir.tmp/modules"
    cp "$dl/x/boot/vmlinuz-$kver" "$kdir.tmp/vmlinuz"
    # modprobe --show-depends lists each module after its dependencies (softdeps included)
    for m in $VM_MODULES; do modprobe -d "$dl/x" -S "$kver" --show-depends "$m"; done \
      | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' > "$dl/insmod.list"
    while read -r ko; do
      cp "$ko" "$kdir.tmp/modules/"
      basename "$ko" >> "$kdir.tmp/modules.order"
    done < "$dl/insmod.list"
    echo "$kpkg" > "$kdir.tmp/package"
    mv "$kdir.tmp" "$kdir"
    touch "$kdir.complete"
    rm -rf "$dl"
    VM_KDIR=$kdir
  fi
  log "kernel $(cat "$VM_KDIR/package") ($VM_KDIR; modules: $(tr '\n' ' ' < "$VM_KDIR/modules.order"))"
}

vm_initramfs() {
  local work=$1 out=$2 ird="$1/initramfs"
  VM_INITRD=$out
  rm -rf "$ird"
  mkdir -p "$ird"/{bin,dev,proc,sys,newroot,lib/modules}
  cp /bin/busybox "$ird/bin/busybox"
  ln -s busybox "$ird/bin/sh"
  cp "$VM_KDIR"/modules/*.ko "$ird/lib/modules/"
  cp "$VM_KDIR/modules.order" "$ird/lib/modules/order"
  cat > "$ird/init" <<'EOF'
#!/bin/sh
# initramfs of the hexz VM tests: load block + ext4 modules, mount /dev/vda read-only, switch to
# it and run the init= of the kernel command line (the kernel keeps init= for itself when it
# runs an initramfs, so it is read from /proc/cmdline), default /init.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /lib/modules/order); do
  insmod "/lib/modules/$m" 2>/dev/null || echo "initramfs: insmod $m failed (ignored)"
done
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if ! mount -t ext4 -o ro /dev/vda /newroot; then
  echo "initramfs: cannot mount /dev/vda"; cat /proc/partitions; poweroff -f
fi
init=/init
for w in $(cat /proc/cmdline); do
  case $w in init=*) init=${w#init=} ;; esac
done
if [ ! -x "/newroot$init" ]; then
  echo "initramfs: no executable $init on /dev/vda"; poweroff -f
fi
umount /proc /sys
mount --move /dev /newroot/dev
exec switch_root /newroot "$init"
EOF
  chmod 755 "$ird/init"
  find "$ird" -exec touch -h -d "@$VM_FAKE_TIME" {} +
  (cd "$ird" && find . -print0 | LC_ALL=C sort -z \
     | cpio --null --create --format=newc --reproducible --quiet) | gzip -n -1 > "$out"
}

vm_boot() {
  local console=$1 drive=$2 append=$3 t0 t1
  t0=$(date +%s.%N)
  timeout -k 10 "$VM_TIMEOUT" qemu-system-x86_64 -accel tcg -m 256 -nographic -no-reboot -nic none \
    -kernel "$VM_KDIR/vmlinuz" -initrd "$VM_INITRD" \
    -append "console=ttyS0 quiet panic=-1 $append" \
    -drive "$drive" </dev/null >"$console" 2>&1 &
  VM_QEMU_PID=$!
  VM_RC=0; wait "$VM_QEMU_PID" || VM_RC=$?
  VM_QEMU_PID=
  t1=$(date +%s.%N)
  VM_SECONDS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
}

vm_stop() {
  if [[ -n $VM_QEMU_PID ]] && kill -0 "$VM_QEMU_PID" 2>/dev/null; then
    kill "$VM_QEMU_PID" 2>/dev/null || true
    wait "$VM_QEMU_PID" 2>/dev/null || true
  fi
  VM_QEMU_PID=
}

vm_debian_init() {
  local img=$1 data_mib=$2 work=$3
  cat > "$work/hexz-init" <<'EOF'
#!/bin/sh
# /hexz-init of the hexz VM tests: PID 1 on a Debian root. Writes random data, its sha256 and the
# token of the kernel command line, then powers off.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
say() { echo "hexz-init: $*"; }
off() { sync; poweroff -f; echo o > /proc/sysrq-trigger; sleep 30; }
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -o remount,rw / || { say "remount rw failed"; off; }
token=
for w in $(cat /proc/cmdline); do
  case $w in hexz_token=*) token=${w#hexz_token=} ;; esac
done
dd if=/dev/urandom of=/vm-data.bin bs=1M count=DATA_MIB status=none || { say "dd failed"; off; }
sha256sum /vm-data.bin | cut -d' ' -f1 > /vm-data.sha256
echo "$token" > /vm-marker
sync
mount -o remount,ro / || say "remount ro failed"
say "done token=$token sha256=$(cat /vm-data.sha256)"
off
EOF
  sed -i "s/DATA_MIB/$data_mib/" "$work/hexz-init"
  vm_put_init "$img" "$work/hexz-init" "$work"
}

vm_put_init() {
  local img=$1 init=$2 work=$3
  { echo "write $init hexz-init"
    echo "sif /hexz-init mode 0100755"
    echo "sif /hexz-init uid 0"
    echo "sif /hexz-init gid 0"
  } > "$work/add-init.debugfs"
  if ! E2FSPROGS_FAKE_TIME=$VM_FAKE_TIME debugfs -w -f "$work/add-init.debugfs" "$img" >/dev/null 2>"$work/add-init.err" \
     || grep -qv '^debugfs [0-9]' "$work/add-init.err"; then
    cat "$work/add-init.err" >&2; die "debugfs could not write /hexz-init into $img"
  fi
  cmp <(debugfs -R "cat /hexz-init" "$img" 2>/dev/null) "$init" || die "/hexz-init in $img differs"
}

vm_boot_debian() {
  local name=$1 drive=$2 work=$3 console="$3/console-$1.log" token
  token="hexz-$(cat /proc/sys/kernel/random/uuid)"
  vm_boot "$console" "$drive" "init=/hexz-init hexz_token=$token"
  ((VM_RC != 124)) || die "$name: QEMU did not power off within ${VM_TIMEOUT}s"
  ((VM_RC == 0)) || die "$name: QEMU exited with $VM_RC"
  VM_GUEST_SUM=$(sed -n "s/^hexz-init: done token=$token sha256=\([0-9a-f]\{64\}\).*/\1/p" "$console" | tr -d '\r')
  [[ -n $VM_GUEST_SUM ]] || die "$name: the guest did not finish (see $console)"
  VM_GUEST_TOKEN=$token
}
