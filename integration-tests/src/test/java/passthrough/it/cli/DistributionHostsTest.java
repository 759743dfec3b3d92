package passthrough.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The distributions of issue 17 on their sample hosts, through the CLI and the bundle's plugins: each plans with its
 * own tools, applies — the tools are stand-ins in the root that record their argv, run by the executor under chroot —
 * and rolls back byte for byte, running the regenerating tools again and the inverse of grubby and kernelstub.
 * grubby, proxmox-boot-tool, mkinitcpio, kernelstub and dracut have no Debian package here (or would change this
 * machine's boot), so the exact command line is what is checked; what each tool does with it was checked against its
 * source or documentation (the plugins' class comments).
 */
class DistributionHostsTest {
    static final String LOG = "standin-argv.log";
    /** A stand-in: one line per call, the program's name and each argument in brackets. */
    static final String STAND_IN = "#!/bin/sh\n{ printf '%s' \"${0##*/}\"; for a in \"$@\"; do printf ' [%s]' \"$a\"; done; "
            + "printf '\\n'; } >> /" + LOG + "\n";

    @TempDir
    Path tmp;

    static boolean isRoot() {
        return "0".equals(System.getProperty("passthrough.uid", uid()));
    }

    private static String uid() {
        try {
            return String.valueOf(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            // a file system without unix attributes: the uid is unknown, so not root; the chroot tests then skip
            // saying they need root (CI runs as root, with /proc, so they run there)
            return "?";
        }
    }

    /** A copy of the sample whose placeholder tools record their argv, with a static busybox as /bin/sh. */
    private Path runnable(String sample) throws IOException {
        Path root = Cli.copyTree(Cli.sample(sample), tmp.resolve(sample));
        Path busybox = Path.of("/bin/busybox");
        assertTrue(Files.isExecutable(busybox), "/bin/busybox is missing: install busybox-static (.ci/run does)");
        Path bin = Files.createDirectories(root.resolve("bin"));
        Files.copy(busybox, bin.resolve("busybox"));
        Files.setAttribute(bin.resolve("busybox"), "unix:mode", 0755);
        Files.createSymbolicLink(bin.resolve("sh"), Path.of("busybox"));
        for (String dir : List.of("usr/sbin", "usr/bin")) {
            Path d = root.resolve(dir);
            if (!Files.isDirectory(d)) continue;
            try (Stream<Path> s = Files.list(d)) {
                for (Path tool : s.toList()) {
                    Files.writeString(tool, STAND_IN);
                    Files.setAttribute(tool, "unix:mode", 0755);
                }
            }
        }
        return root;
    }

    /** Every entry but the journal and the stand-ins' log, as "kind digest mode". */
    static Map<String, String> snapshot(Path root) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                String rel = root.relativize(p).toString();
                if (rel.isEmpty() || rel.equals(LOG) || rel.equals("var") || rel.equals("var/lib")
                        || rel.startsWith("var/lib/passthrough")) continue;
                int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
                String kind = Files.isSymbolicLink(p) ? "link " + Files.readSymbolicLink(p)
                        : Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "dir"
                        : "file " + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
                out.put(rel, kind + String.format(" %04o", mode));
            }
        }
        return out;
    }

    static List<String> calls(Path root) throws IOException {
        Path log = root.resolve(LOG);
        List<String> out = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8) : List.of();
        Files.deleteIfExists(log);
        return out;
    }

    static List<String> split(String lines) {
        return lines.isEmpty() ? List.of() : List.of(lines.split("\\|"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "proxmox-ve-8-systemd-boot; proxmox-ve-8; kernel-cmdline; initramfs-tools; "
            + "update-initramfs [-u] [-k] [all]|proxmox-boot-tool [refresh]; "
            + "update-initramfs [-u] [-k] [all]|proxmox-boot-tool [refresh]",
        "proxmox-ve-8-grub; proxmox-ve-8; grub-debian; initramfs-tools; "
            + "update-initramfs [-u] [-k] [all]|update-grub; update-initramfs [-u] [-k] [all]|update-grub",
        "fedora-40; fedora; grubby; dracut; "
            + "dracut [-f] [--kver] [6.8.9-300.fc40.x86_64]|grubby [--update-kernel=ALL] [--args=intel_iommu=on iommu=pt]; "
            + "dracut [-f] [--kver] [6.8.9-300.fc40.x86_64]|grubby [--update-kernel=ALL] [--remove-args=intel_iommu iommu]",
        "rocky-9; rocky-9; grubby; dracut; "
            + "dracut [-f] [--kver] [5.14.0-427.13.1.el9_4.x86_64]|grubby [--update-kernel=ALL] [--args=intel_iommu=on iommu=pt]; "
            + "dracut [-f] [--kver] [5.14.0-427.13.1.el9_4.x86_64]|grubby [--update-kernel=ALL] [--remove-args=intel_iommu iommu]",
        "arch-systemd-boot; arch; systemd-boot-entries; mkinitcpio; mkinitcpio [-P]; mkinitcpio [-P]",
        "manjaro-grub; manjaro; grub-debian; mkinitcpio; "
            + "mkinitcpio [-P]|grub-mkconfig [-o] [/boot/grub/grub.cfg]; mkinitcpio [-P]|grub-mkconfig [-o] [/boot/grub/grub.cfg]",
        "endeavouros-systemd-boot; endeavouros; kernel-cmdline; dracut; "
            + "dracut [-f] [--kver] [6.9.7-arch1-1]|kernel-install [add] [6.9.7-arch1-1] [/usr/lib/modules/6.9.7-arch1-1/vmlinuz]"
            + "|kernel-install [add] [6.6.36-1-lts] [/usr/lib/modules/6.6.36-1-lts/vmlinuz]; "
            + "dracut [-f] [--kver] [6.9.7-arch1-1]|kernel-install [add] [6.9.7-arch1-1] [/usr/lib/modules/6.9.7-arch1-1/vmlinuz]"
            + "|kernel-install [add] [6.6.36-1-lts] [/usr/lib/modules/6.6.36-1-lts/vmlinuz]",
        "debian-12-systemd-boot; debian-systemd-boot; kernel-cmdline; initramfs-tools; "
            + "update-initramfs [-u] [-k] [6.1.0-21-amd64]|kernel-install [add] [6.1.0-21-amd64] [/boot/vmlinuz-6.1.0-21-amd64]; "
            + "update-initramfs [-u] [-k] [6.1.0-21-amd64]|kernel-install [add] [6.1.0-21-amd64] [/boot/vmlinuz-6.1.0-21-amd64]",
        "pop-os-22.04; pop-os-22.04; kernelstub; initramfs-tools; "
            + "update-initramfs [-u] [-k] [6.9.3-76060903-generic]|kernelstub [-a] [intel_iommu=on iommu=pt]; "
            + "update-initramfs [-u] [-k] [6.9.3-76060903-generic]|kernelstub [-o] [quiet loglevel=0 systemd.show_status=false splash]",
    })
    void plansAppliesAndRollsBackWithItsOwnTools(String sample, String profile, String writer, String loader, String applied,
                                                   String rolledBack) throws Exception {
        assumeTrue(isRoot(), "skipped: not root — the executor runs the tools under chroot (CI runs this as root)");
        Path root = runnable(sample);
        Map<String, String> before = snapshot(root);

        JsonNode plan = Cli.run("--root", root.toString(), "plan", "--device", "01:00.0", "--json").exits(0).json();
        assertTrue(Cli.finding(plan, "PROFILE").get("message").asText().contains("profile " + profile + " "), plan.toString());
        assertTrue(Cli.finding(plan, "BOOTLOADER_WRITER").get("message").asText().contains(writer), plan.toString());
        assertTrue(Cli.finding(plan, "EARLY_MODULE_LOADER").get("message").asText().contains(loader), plan.toString());
        List<String> planned = new ArrayList<>();
        for (JsonNode c : plan.get("commands")) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode a : c.get("argv")) sb.append(sb.length() == 0 ? a.asText() : " [" + a.asText() + "]");
            planned.add(sb.toString());
        }
        assertEquals(split(applied), planned, "the plan names the distribution's own tools");

        Cli.run("--root", root.toString(), "apply", "--device", "01:00.0", "--yes").exits(0);
        assertEquals(split(applied), calls(root), "what the tools were called with");
        Map<String, String> after = snapshot(root);
        assertTrue(!after.equals(before), "apply changed something");

        Cli.run("--root", root.toString(), "rollback").exits(0);
        assertEquals(split(rolledBack), calls(root), "regenerating tools run again first, then grubby and kernelstub their inverse");
        assertEquals(before, snapshot(root), "rollback restores every file byte for byte (created ones removed)");
    }

    @Test
    void theProxmoxProfileSaysWhichEvidenceItUsedAndAddsNoIntelIommuOnTo68() throws Exception {
        JsonNode check = Cli.run("--root", Cli.sample("proxmox-ve-8-systemd-boot").toString(), "check", "--json").json();
        String reason = Cli.finding(check, "PROFILE").get("message").asText();
        assertTrue(reason.contains("on disk: usr/bin/pveversion present") && reason.contains("not debian-12"), reason);
        JsonNode plan = Cli.run("--root", Cli.sample("proxmox-ve-8-systemd-boot").toString(), "plan", "--device", "01:00.0",
                "--json").exits(0).json();
        String after = null;
        for (JsonNode f : plan.get("files")) if (f.get("path").asText().equals("etc/kernel/cmdline")) after = f.get("after").asText();
        assertEquals("root=ZFS=rpool/ROOT/pve-1 boot=zfs iommu=pt\n", after, "kernel 6.8 turns VT-d on by itself");
        // the 6.5 kernel of the GRUB host does not: intel_iommu=on is written
        JsonNode grub = Cli.run("--root", Cli.sample("proxmox-ve-8-grub").toString(), "plan", "--device", "01:00.0", "--json")
                .exits(0).json();
        assertTrue(grub.get("files").toString().contains("intel_iommu=on iommu=pt"), grub.get("files").toString());
        // a plain Debian 12 on the same hardware is debian-12, and says why it is not Proxmox
        Path debian = Cli.copyTree(Cli.sample("proxmox-ve-8-grub"), tmp.resolve("debian"));
        Files.delete(debian.resolve("usr/bin/pveversion"));
        String plain = Cli.finding(Cli.run("--root", debian.toString(), "check", "--json").json(), "PROFILE").get("message").asText();
        assertTrue(plain.contains("matches profile debian-12") && plain.contains("not proxmox-ve-8 (usr/bin/pveversion absent)"), plain);
    }

    @Test
    void aHostWithGrubAndSystemdBootIsRefusedNamingBothUntilTheUserChooses() throws Exception {
        Path root = Cli.copyTree(Cli.sample("arch-systemd-boot"), tmp.resolve("both"));
        Files.createDirectories(root.resolve("etc/default"));
        Files.writeString(root.resolve("etc/default/grub"), "GRUB_CMDLINE_LINUX_DEFAULT=\"loglevel=3 quiet\"\nGRUB_CMDLINE_LINUX=\"\"\n");
        Files.createDirectories(root.resolve("usr/bin"));
        Files.writeString(root.resolve("usr/bin/grub-mkconfig"), "#!/bin/sh\n");
        Cli.Result r = Cli.run("--root", root.toString(), "plan", "--device", "01:00.0");
        assertEquals(3, r.exit(), r.err());
        assertTrue(r.err().contains("grub-debian and systemd-boot-entries both manage this host's bootloader writer")
                && r.err().contains("--bootloader grub-debian or --bootloader systemd-boot-entries"), r.err());
        JsonNode chosen = Cli.run("--root", root.toString(), "plan", "--device", "01:00.0", "--bootloader", "systemd-boot-entries",
                "--json").exits(0).json();
        assertTrue(Cli.finding(chosen, "BOOTLOADER_WRITER").get("message").asText().contains("chosen with --bootloader"),
                chosen.toString());
    }

    @Test
    void fedoraEntriesThatDisagreeAreRefusedNamingTheFiles() throws Exception {
        Path root = Cli.copyTree(Cli.sample("fedora-40"), tmp.resolve("fedora"));
        Path old = root.resolve("boot/loader/entries/2b6f0c7e9d3a4b1c8e5f6a7b8c9d0e1f-6.8.5-301.fc40.x86_64.conf");
        Files.writeString(old, Files.readString(old).replace(" rhgb quiet", " rhgb quiet nomodeset"));
        Cli.Result r = Cli.run("--root", root.toString(), "plan", "--device", "01:00.0");
        assertEquals(3, r.exit(), r.out() + r.err());
        String all = r.out() + r.err();
        assertTrue(all.contains("BLS_ENTRIES_DISAGREE") || all.contains("boot with different options"), all);
        assertTrue(all.contains("2b6f0c7e9d3a4b1c8e5f6a7b8c9d0e1f-6.8.5-301.fc40.x86_64.conf line 5"), all);
    }

    /**
     * Fedora Silverblue: the fedora-40 hardware made an ostree host (run/ostree-booted, ostree's entries, rpm-ostree):
     * the fedora-atomic profile by that evidence, rpm-ostree kargs and rpm-ostree initramfs staged, their inverses on
     * rollback, /etc restored byte for byte.
     */
    @Test
    void aFedoraAtomicHostStagesKargsAndInitramfsAndUndoesThem() throws Exception {
        assumeTrue(isRoot(), "skipped: not root — the executor runs the tools under chroot (CI runs this as root)");
        Path root = runnable("fedora-40");
        try (Stream<Path> s = Files.list(root.resolve("boot/loader/entries"))) {
            for (Path p : s.toList()) Files.delete(p);
        }
        String options = "rhgb quiet root=UUID=4f3c2a1b-9d8e-4c7b-a6f5-1e2d3c4b5a69 rootflags=subvol=root rw "
                + "ostree=/ostree/boot.1/fedora/3f2e/0";
        Files.writeString(root.resolve("boot/loader/entries/ostree-1-fedora.conf"), "title Fedora Linux 40.20240512.0 "
                + "(Silverblue) (ostree:0)\nversion 2\noptions " + options + "\nlinux /ostree/fedora-3f2e/vmlinuz-"
                + "6.8.9-300.fc40.x86_64\ninitrd /ostree/fedora-3f2e/initramfs-6.8.9-300.fc40.x86_64.img\n");
        Files.createDirectories(root.resolve("run"));
        Files.writeString(root.resolve("run/ostree-booted"), "");
        Files.writeString(root.resolve("usr/bin/rpm-ostree"), STAND_IN);
        Files.setAttribute(root.resolve("usr/bin/rpm-ostree"), "unix:mode", 0755);
        Map<String, String> before = snapshot(root);

        JsonNode plan = Cli.run("--root", root.toString(), "plan", "--device", "01:00.0", "--json").exits(0).json();
        String reason = Cli.finding(plan, "PROFILE").get("message").asText();
        assertTrue(reason.contains("profile fedora-atomic") && reason.contains("run/ostree-booted present"), reason);
        Cli.run("--root", root.toString(), "apply", "--device", "01:00.0", "--yes").exits(0);
        // the initramfs before the boot configuration, as on every host (the planner's order)
        assertEquals(List.of("rpm-ostree [initramfs] [--enable] [--arg=--add-drivers] [--arg=vfio vfio_iommu_type1 vfio_pci]",
                "rpm-ostree [kargs] [--append-if-missing=intel_iommu=on] [--append-if-missing=iommu=pt]"), calls(root));
        Cli.run("--root", root.toString(), "rollback").exits(0);
        // inverses run last command first
        assertEquals(List.of("rpm-ostree [kargs] [--delete-if-present=intel_iommu=on] [--delete-if-present=iommu=pt]",
                "rpm-ostree [initramfs] [--disable]"), calls(root));
        assertEquals(before, snapshot(root));
    }
}
