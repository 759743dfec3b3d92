package passthrough.it.captured;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * plan / apply / plan again / rollback on the hosts captured from the real Debian 12 guest (vfio-pci a module,
 * the decoy std VGA sharing 1234:1111 with the "GPU"): the by-address route end to end through the bundled
 * plugins, short of the boot (the real-kernel suite boots it).
 */
class CapturedHostsPlanTest {
    @TempDir
    Path tmp;

    Path unpack(String capture) throws Exception {
        Path dir = Files.createDirectory(tmp.resolve(capture));
        Process p = new ProcessBuilder("tar", "xzf", CapturedHostsTest.resource(capture + ".tar.gz").toString(), "-C", dir.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        return dir;
    }

    static CapturedHostsTest.Run cli(Path root, String... args) {
        CapturedHostsTest.roots.put("adhoc", root);
        return CapturedHostsTest.run("adhoc", args);
    }

    static Map<String, String> etc(Path root) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root.resolve("etc"))) {
            for (Path p : s.filter(Files::isRegularFile).toList()) out.put(root.relativize(p).toString(), Files.readString(p));
        }
        return out;
    }

    @Test
    void identicalIdsGoByAddressWithTheScriptCopiedIntoTheInitramfsAndASecondApplyChangesNothing() throws Exception {
        Path root = unpack(CapturedHostsTest.INTEL);
        Map<String, String> before = etc(root);
        JsonNode plan = cli(root, "plan", "--device", "01:00.0", "--json").json();
        assertTrue(plan.get("byAddress").asBoolean());
        List<String> paths = new ArrayList<>();
        plan.get("files").forEach(f -> paths.add(f.get("path").asText()));
        // the guest was booted by QEMU with intel_iommu=on iommu=pt on -append; its own GRUB configuration lacks them,
        // so a boot through GRUB would have the IOMMU off: the plan writes them, and says the two lines differ
        assertEquals(List.of("etc/modprobe.d/passthrough-vfio.conf", "etc/passthrough/bind-by-address.sh",
                "etc/default/grub", "etc/initramfs-tools/modules", "etc/initramfs-tools/hooks/passthrough"), paths);
        assertTrue(plan.get("files").get(2).get("after").asText().contains("intel_iommu=on iommu=pt"));
        assertTrue(plan.toString().contains("RUNNING_LINE_DIFFERS"), plan.toPrettyString());
        assertTrue(plan.get("files").get(4).get("executable").asBoolean());
        assertFalse(plan.get("files").get(0).get("after").asText().contains("options vfio-pci ids="),
                "ids would also take the decoy 00:01.0");
        // the initramfs first: a bootloader refresh may copy it (kernel-install, proxmox-boot-tool)
        assertEquals("[\"update-initramfs\",\"-u\",\"-k\",\"6.1.0-50-amd64\"]", plan.get("commands").get(0).get("argv").toString());
        assertEquals("[\"update-grub\"]", plan.get("commands").get(1).get("argv").toString());

        CapturedHostsTest.Run applied = cli(root, "apply", "--device", "01:00.0", "--yes", "--no-commands");
        assertEquals(0, applied.exit(), applied.err());
        assertEquals("rwxr-xr-x", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(root.resolve("etc/initramfs-tools/hooks/passthrough"))));
        String script = Files.readString(root.resolve("etc/passthrough/bind-by-address.sh"));
        assertTrue(script.contains("bind 0000:01:00.2 0x1b36 0x000d\n"), script);
        assertFalse(script.contains("0000:00:01.0"), "the decoy is never named");

        CapturedHostsTest.Run again = cli(root, "plan", "--device", "01:00.0");
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains("Nothing to do") || again.out().contains("No file changes"), again.out());

        assertEquals(3, cli(root, "plan", "--device", "01:00.0", "--binding", "pci-stub").exit(), "pci-stub cannot go by address");

        CapturedHostsTest.Run rolledBack = cli(root, "rollback", "--no-commands");
        assertEquals(0, rolledBack.exit(), rolledBack.err());
        Map<String, String> after = etc(root);
        after.keySet().removeIf(p -> p.startsWith("etc/passthrough"));
        assertEquals(before, after, "rollback restores etc/ byte for byte");
    }

    @Test
    void withoutAnyIommuInTheMachineThePlanIsRefusedNamingTheMissingTable() throws Exception {
        Path root = unpack(CapturedHostsTest.NONE);
        Map<String, String> before = etc(root);
        CapturedHostsTest.Run r = cli(root, "plan", "--device", "01:00.0");
        assertEquals(3, r.exit());
        assertTrue(r.err().contains("sys/firmware/acpi/tables/DMAR is absent"), r.err());
        assertEquals(3, cli(root, "apply", "--device", "01:00.0", "--yes").exit());
        assertEquals(before, etc(root), "a refusal writes nothing");
    }

    @Test
    void theRootDiskControllerOfTheRealGuestIsNeverReservedWhateverTheFlags() throws Exception {
        Path root = unpack(CapturedHostsTest.INTEL);
        CapturedHostsTest.Run r = cli(root, "plan", "--device", "00:04.0", "--allow-shared-group", "--allow-boot-gpu");
        assertEquals(3, r.exit());
        assertTrue(r.err().contains("controls the disk of the root filesystem (/dev/vda on /, via vda)"), r.err());
    }

    /** As the kernel shows a device bound to another driver: its driver link points to that driver's directory. */
    static void bind(Path root, String address, String driver) throws Exception {
        Path link = root.resolve("sys/bus/pci/devices/" + address).toRealPath().resolve("driver");
        Files.createDirectories(root.resolve("sys/bus/pci/drivers/" + driver));
        Files.deleteIfExists(link);
        Path target = link.getParent().relativize(root.resolve("sys/bus/pci/drivers/" + driver));
        Files.createSymbolicLink(link, target);
    }

    @Test
    void verifyPassesForTheWholeGroupOnVfioPciAndWarnsWhenTheDecoyWasTakenToo() throws Exception {
        Path root = unpack(CapturedHostsTest.INTEL);
        for (String f : List.of("0", "1", "2")) bind(root, "0000:01:00." + f, "vfio-pci");
        Files.createDirectories(root.resolve("dev/vfio"));
        Files.createFile(root.resolve("dev/vfio/7"));
        CapturedHostsTest.Run ok = cli(root, "verify", "--device", "01:00.0");
        assertEquals(0, ok.exit(), ok.out() + ok.err());
        assertFalse(ok.out().contains("TWIN_RESERVED") || ok.out().contains("shares its ids"), ok.out());

        bind(root, "0000:00:01.0", "vfio-pci");
        CapturedHostsTest.Run twin = cli(root, "verify", "--device", "01:00.0", "--json");
        assertTrue(twin.out().contains("\"TWIN_RESERVED\""), twin.out());
        assertTrue(twin.out().contains("0000:00:01.0 [1234:1111]"), twin.out());
    }

    @Test
    void applyJsonSaysWhatWasDone() throws Exception {
        Path root = unpack(CapturedHostsTest.INTEL);
        JsonNode r = cli(root, "apply", "--device", "01:00.0", "--yes", "--no-commands", "--json").json();
        assertTrue(r.get("changed").asBoolean());
        assertEquals(5, r.get("files").size(), "4 for the reservation, etc/default/grub for the IOMMU parameters");
        assertEquals("create", r.get("files").get(0).get("action").asText());
        assertEquals("skipped", r.get("commands").get(0).get("status").asText());
        assertTrue(r.get("rebootRequired").asBoolean());
        JsonNode again = cli(root, "apply", "--device", "01:00.0", "--yes", "--json").json();
        assertFalse(again.get("changed").asBoolean());
        assertTrue(again.get("txid").isNull());
    }
}
