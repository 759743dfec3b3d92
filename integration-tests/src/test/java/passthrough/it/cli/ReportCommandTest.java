package passthrough.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import passthrough.fixtures.SampleHost;
import passthrough.fixtures.SampleHosts;

/** `passthrough report`: the archive, unpacked with GNU tar, reads back to the same answers. */
class ReportCommandTest {

    /** The only files the facts reader opens (by name); anything else in an archive is a leak. */
    private static final Set<String> READ_FILES = Set.of("vendor", "device", "class", "subsystem_vendor",
            "subsystem_device", "revision", "boot_vga", "modalias", "cpuinfo", "cmdline", "osrelease", "modules",
            "mounts", "modules.builtin", "modules.dep", "modules.alias", "os-release", "pci.ids", "grub", "grub.cfg",
            "DMAR", "IVRS", "route",
            // what UsbTopology reads below USB controllers: devices, interfaces, input capabilities
            "idVendor", "idProduct", "manufacturer", "product", "bDeviceClass", "bInterfaceClass", "bInterfaceSubClass",
            "bInterfaceProtocol", "name", "ev", "key", "rel",
            // tools whose presence the reader checks (kept as empty placeholders)
            "update-grub", "grub-mkconfig", "update-initramfs", "grub-script-check", "dracut", "mkinitcpio",
            // the distributions' boot set-ups (issue 17): what their writers, loaders, probes and profiles read
            "grubenv", "mkinitcpio.conf", "configuration", "proxmox-boot-uuids", "loader.conf", "grubby", "kernelstub",
            "proxmox-boot-tool", "pveversion", "kernel-install", "zz-systemd-boot");

    /**
     * Read by name pattern: a kernel's build configuration (intel-vtd), loader entries (grubby, systemd-boot-entries,
     * kernel-cmdline: under /boot, /efi or /boot/efi), dracut's configuration files (dracut).
     */
    static boolean readByPattern(String name, String base) {
        return name.contains("boot/config-") && base.startsWith("config-")
                || name.contains("loader/entries/") && base.endsWith(".conf")
                || name.contains("dracut.conf.d/") && base.endsWith(".conf");
    }

    static List<String> samples() {
        return SampleHosts.names();
    }

    @ParameterizedTest
    @MethodSource("samples")
    void unpackedReportGivesTheSameAnswers(String sample, @TempDir Path tmp) throws Exception {
        roundTrip(Cli.sample(sample), tmp);
    }

    @Test
    void hostWithoutDmarStaysAbsentAfterTheRoundTrip(@TempDir Path tmp) throws Exception {
        SampleHost h = SampleHosts.intelIommuOff().firmware(SampleHost.Firmware.NONE);
        roundTrip(Cli.write(h, tmp.resolve("host")), tmp);
    }

    private static void roundTrip(Path root, Path tmp) throws Exception {
        Path archive = tmp.resolve("out/host.tar.gz");
        Cli.Result r = Cli.run("--root", root.toString(), "report", "--out", archive.toString()).exits(0);
        assertTrue(r.out().startsWith("Wrote " + archive), r.out());
        assertTrue(Files.size(archive) > 0);

        Path unpacked = Files.createDirectories(tmp.resolve("unpacked"));
        Cli.Result tar = Cli.exec(null, "tar", "xzf", archive.toString(), "-C", unpacked.toString());
        assertEquals(0, tar.exit(), "tar xzf: " + tar.err());

        for (List<String> cmd : List.of(List.of("groups", "--json"), List.of("check", "--json"),
                List.of("groups", "--json", "--gpu"), List.of("groups"), List.of("groups", "--usb"),
                List.of("groups", "--usb", "--json"))) {
            Cli.Result a = run(root, cmd);
            Cli.Result b = run(unpacked, cmd);
            assertEquals(a.exit(), b.exit(), cmd + " exit");
            assertEquals(a.out(), b.out(), cmd + " output differs on the unpacked report");
        }

        Cli.Result list = Cli.exec(null, "tar", "tzvf", archive.toString());
        assertEquals(0, list.exit(), list.err());
        for (String line : list.out().split("\n")) {
            if (!line.startsWith("-")) continue; // directories and links
            String name = line.substring(line.lastIndexOf(' ') + 1);
            String base = name.substring(name.lastIndexOf('/') + 1);
            assertTrue(READ_FILES.contains(base) || readByPattern(name, base), "the archive holds " + name + ", which the reader never reads");
        }
        try (Stream<Path> s = Files.walk(unpacked)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().equals("config")), "config files are never read");
        }
    }

    private static Cli.Result run(Path root, List<String> cmd) {
        String[] args = Stream.concat(Stream.of("--root", root.toString()), cmd.stream()).toArray(String[]::new);
        return Cli.run(args);
    }

    @Test
    void outUnderARegularFileFailsWithExit4AndLeavesNothing(@TempDir Path tmp) throws IOException {
        Path file = Files.writeString(tmp.resolve("plain-file"), "x");
        Path out = file.resolve("sub/host.tar.gz");
        Cli.Result r = Cli.run("--root", Cli.sample(SampleHosts.SEED1).toString(), "report", "--out", out.toString()).exits(4);
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(out.toString()), r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), r.err());
        assertEquals("x", Files.readString(file));
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(file), s.toList());
        }
    }

    @Test
    void outOntoANonEmptyDirectoryFailsWithExit4AndLeavesNoPartFile(@TempDir Path tmp) throws IOException {
        Path out = Files.createDirectories(tmp.resolve("host.tar.gz"));
        Files.writeString(out.resolve("keep"), "k");
        Cli.Result r = Cli.run("--root", Cli.sample(SampleHosts.SEED1).toString(), "report", "--out", out.toString()).exits(4);
        assertTrue(r.err().startsWith("passthrough: cannot write " + out), r.err());
        try (Stream<Path> s = Files.list(tmp)) {
            assertEquals(List.of(out), s.toList(), "a temporary .part file was left behind");
        }
    }
}
