package passthrough.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The two writers for loader-entry set-ups, loaded from the bundle's plugin jars and chosen the way a host without a
 * profile chooses: /etc/kernel/cmdline on a Proxmox-like root (kernel-cmdline), plain systemd-boot entries on an
 * Arch-like root (systemd-boot-entries); and neither claims a sample host.
 */
class BootEntryWritersTest {

    @TempDir
    Path tmp;

    static final String PROXMOX_LINE = "root=ZFS=rpool/ROOT/pve-1 boot=zfs";

    /** seed1's hardware with its GRUB and os-release taken away (no profile: the writers' manages() decides). */
    private Path withoutGrub(String name) throws Exception {
        Path root = Cli.copyTree(Cli.sample("seed1-ubuntu-18.04"), tmp.resolve(name));
        Files.delete(root.resolve("etc/os-release"));
        Files.delete(root.resolve("etc/default/grub"));
        Files.delete(root.resolve("usr/sbin/update-grub"));
        return root;
    }

    private static JsonNode plan(Path root, String... more) {
        List<String> args = new ArrayList<>(List.of("--root", root.toString(), "plan", "--device", "65:00.0",
                "--allow-shared-group", "--allow-boot-gpu", "--json"));
        args.addAll(List.of(more));
        return Cli.run(args.toArray(String[]::new)).exits(0).json();
    }

    private static JsonNode file(JsonNode plan, String path) {
        for (JsonNode f : plan.get("files")) if (f.get("path").asText().equals(path)) return f;
        throw new AssertionError("no planned file " + path + " in " + plan.get("files"));
    }

    @Test
    void aProxmoxRootBootedBySystemdBootGetsItsOneLineEditedAndRefreshed() throws Exception {
        Path root = withoutGrub("proxmox");
        Files.createDirectories(root.resolve("etc/kernel"));
        Files.writeString(root.resolve("etc/kernel/cmdline"), PROXMOX_LINE + "\n");
        Files.writeString(root.resolve("usr/sbin/proxmox-boot-tool"), "#!/bin/sh\n");
        Files.writeString(root.resolve("proc/cmdline"), "initrd=\\EFI\\proxmox\\5.4.0-150-generic\\initrd.img-5.4.0-150-generic "
                + PROXMOX_LINE + " intel_iommu=on\n");
        JsonNode plan = plan(root);
        assertTrue(Cli.finding(plan, "BOOTLOADER_WRITER").get("message").asText().contains("kernel-cmdline"), plan.toString());
        String after = file(plan, "etc/kernel/cmdline").get("after").asText();
        assertTrue(after.startsWith(PROXMOX_LINE + " ") && after.contains("intel_iommu=on") && after.endsWith("\n")
                && after.indexOf('\n') == after.length() - 1, after);
        List<String> argvs = new ArrayList<>();
        plan.get("commands").forEach(c -> argvs.add(c.get("argv").toString()));
        assertTrue(argvs.contains("[\"proxmox-boot-tool\",\"refresh\"]"), argvs.toString());

        // the same root booted by GRUB: the file does not reach the boot, so kernel-cmdline declines
        Files.writeString(root.resolve("proc/cmdline"), "BOOT_IMAGE=/ROOT/pve-1@/boot/vmlinuz " + PROXMOX_LINE + "\n");
        Cli.Result grub = Cli.run("--root", root.toString(), "plan", "--device", "65:00.0", "--bootloader", "kernel-cmdline").exits(3);
        assertTrue(grub.err().contains("kernel-cmdline (chosen with --bootloader) does not manage"), grub.err());
    }

    @Test
    void anArchRootWithPlainSystemdBootGetsItsEntriesEditedButTheFallback() throws Exception {
        Path root = withoutGrub("arch");
        Path entries = Files.createDirectories(root.resolve("boot/loader/entries"));
        Files.writeString(root.resolve("boot/loader/loader.conf"), "default arch.conf\ntimeout 4\n");
        String arch = "title   Arch Linux\nlinux   /vmlinuz-linux\ninitrd  /initramfs-linux.img\noptions root=/dev/nvme0n1p2 rw\n";
        Files.writeString(entries.resolve("arch.conf"), arch);
        Files.writeString(entries.resolve("arch-fallback.conf"), arch.replace("Arch Linux", "Arch Linux (fallback initramfs)")
                .replace("initramfs-linux.img", "initramfs-linux-fallback.img"));
        JsonNode plan = plan(root);
        assertTrue(Cli.finding(plan, "BOOTLOADER_WRITER").get("message").asText().contains("systemd-boot-entries"), plan.toString());
        String after = file(plan, "boot/loader/entries/arch.conf").get("after").asText();
        assertEquals(arch.replace("options root=/dev/nvme0n1p2 rw\n", ""), after.substring(0, after.indexOf("options ")));
        assertTrue(after.contains("options root=/dev/nvme0n1p2 rw intel_iommu=on"), after);
        plan.get("files").forEach(f -> assertFalse(f.get("path").asText().contains("fallback"), f.toString()));
        assertTrue(plan.toString().contains("LOADER_ENTRY_FALLBACK_KEPT"), plan.get("findings").toPrettyString());
        plan.get("commands").forEach(c -> assertFalse(c.get("argv").toString().contains("bootctl"), c.toString()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"seed1-ubuntu-18.04", "seed2-lfs-12.2", "amd-shared-group", "intel-iommu-off", "amd-split-card",
        "intel-vmd-laptop"})
    void noSampleHostIsClaimed(String host) {
        for (String writer : List.of("kernel-cmdline", "systemd-boot-entries")) {
            Cli.Result r = Cli.run("--root", Cli.sample(host).toString(), "plan", "--device", "00:00.0", "--bootloader", writer);
            assertTrue(r.err().contains(writer + " (chosen with --bootloader) does not manage"), host + " " + writer + ": " + r.err());
        }
    }
}
