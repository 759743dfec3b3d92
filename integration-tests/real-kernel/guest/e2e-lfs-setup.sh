#!/bin/sh
# e2e suite, LFS route: make the Debian guest boot the way a Linux From Scratch (SysV) host does, as far as a
# Debian kernel allows, before passthrough looks at it:
#  - /boot/grub/grub.cfg kept by hand (the LFS book's shape) and no /etc/default/grub, so no generator exists;
#  - no initramfs generator (update-initramfs moved away) and LFS's /etc/os-release;
#  - /etc/sysconfig/modules, read by a stand-in for LFS's `modules` bootscript that runs before udev's coldplug.
# What cannot be LFS here: Debian's kernel has virtio_blk and ext4 as modules, so the entry keeps a minimal
# initramfs (MODULES=list: only what mounts the root disk; no GPU, sound or USB driver in it), built now.
set -eu
K=$(uname -r)
conf=/etc/lfs-initramfs-tools
rm -rf "$conf"; cp -a /etc/initramfs-tools "$conf"
sed -i 's/^MODULES=.*/MODULES=list/' "$conf/initramfs.conf"
printf 'virtio_pci\nvirtio_blk\next4\n' > "$conf/modules"
mkinitramfs -d "$conf" -o "/boot/initrd-$K-rootonly.img" "$K"
echo "root-disk-only initramfs: $(lsinitramfs "/boot/initrd-$K-rootonly.img" | grep -c '\.ko') modules:"
lsinitramfs "/boot/initrd-$K-rootonly.img" | grep '\.ko' | sed 's|.*/||' | tr '\n' ' '; echo

mkdir -p /root/debian-aside
mv /etc/default/grub /root/debian-aside/default-grub
[ -d /etc/default/grub.d ] && mv /etc/default/grub.d /root/debian-aside/default-grub.d
mv /usr/sbin/update-initramfs /root/debian-aside/update-initramfs
mv /etc/initramfs-tools/modules /root/debian-aside/initramfs-tools-modules
rm -f /etc/os-release
cat > /etc/os-release <<'OS'
NAME="Linux From Scratch"
VERSION="12.2"
ID=lfs
PRETTY_NAME="Linux From Scratch 12.2"
VERSION_CODENAME="passthrough-it"
OS

cat > /boot/grub/grub.cfg <<CFG
# Begin /boot/grub/grub.cfg
set default=0
set timeout=1
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial

insmod part_msdos
insmod ext2
set root=(hd0,1)

menuentry "GNU/Linux, Linux $K (hand-kept, LFS style)" {
        linux   /boot/vmlinuz-$K root=/dev/vda1 ro console=ttyS0,115200 panic=-1
        initrd  /boot/initrd-$K-rootonly.img
}
CFG
grub-script-check /boot/grub/grub.cfg

mkdir -p /etc/sysconfig
cat > /etc/sysconfig/modules <<'MODS'
# Begin /etc/sysconfig/modules

# Modules loaded by the modules bootscript, one per line, with arguments:
#   <module> [<arg>...]

# End /etc/sysconfig/modules
MODS
# stand-in for lfs-bootscripts' /etc/rc.d/init.d/modules (S05 in rcS.d, before udev): modprobe each listed module
cat > /usr/local/sbin/lfs-modules <<'SH'
#!/bin/sh
[ -r /etc/sysconfig/modules ] || exit 0
while read -r module args; do
  case "$module" in ""|"#"*) continue;; esac
  if modprobe "$module" $args; then echo "lfs-modules: loaded $module $args"; else echo "lfs-modules: FAILED $module"; fi
done < /etc/sysconfig/modules
SH
chmod 755 /usr/local/sbin/lfs-modules
cat > /etc/systemd/system/lfs-modules.service <<'UNIT'
[Unit]
Description=LFS-style modules bootscript: load /etc/sysconfig/modules before udev's coldplug
DefaultDependencies=no
After=systemd-udevd-kernel.socket
Before=systemd-udev-trigger.service sysinit.target
[Service]
Type=oneshot
RemainAfterExit=yes
StandardOutput=journal+console
ExecStart=/usr/local/sbin/lfs-modules
[Install]
WantedBy=sysinit.target
UNIT
systemctl enable lfs-modules.service
echo "LFS set-up done"
