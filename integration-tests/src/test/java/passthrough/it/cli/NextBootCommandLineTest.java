package passthrough.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import passthrough.fixtures.SampleHosts;

/**
 * Every parameter is judged on the command line the NEXT boot gets (what /etc/default/grub says), not on the running
 * /proc/cmdline: plans made one after another before a reboot keep each other's ids, a switch of binding before the
 * reboot leaves no stale ids, and an IOMMU parameter typed once at GRUB's prompt is still written. The line the
 * next boot gets is read from /etc/default/grub by /bin/sh itself, the program update-grub sources it with.
 */
class NextBootCommandLineTest {
    static final String GTX1660 = "pci-stub.ids=10de:2184,10de:1aeb,10de:1aec,10de:1aed";
    static final String GTX650 = "10de:11c6,10de:0e0b";

    /**
     * seed 1 with a second GPU to give away: the GTX 650 Ti (the console GPU, so --allow-boot-gpu; it has no USB
     * function, so auto would choose the vfio-pci module and leave the command line alone: pci-stub is named).
     */
    static Path seed1(Path tmp, boolean vfioBuiltIn) {
        var host = SampleHosts.byName("seed1-ubuntu-18.04");
        if (vfioBuiltIn) {
            host = host.builtin("kernel/drivers/vfio/vfio.ko", "kernel/drivers/vfio/vfio_iommu_type1.ko",
                    "kernel/drivers/vfio/pci/vfio-pci.ko");
        }
        return Cli.write(host, tmp.resolve("host"));
    }

    /** What update-grub would put on the linux line: the two variables as /bin/sh reads them. */
    static List<String> nextBoot(Path root) throws Exception {
        Cli.Result r = Cli.exec(root, "sh", "-c", ". ./etc/default/grub; echo $GRUB_CMDLINE_LINUX $GRUB_CMDLINE_LINUX_DEFAULT");
        assertEquals(0, r.exit(), r.err());
        return Arrays.asList(r.out().strip().split("\\s+"));
    }

    /** The reboot: the kernel comes up with the configured line. */
    static void reboot(Path root) throws Exception {
        Files.writeString(root.resolve("proc/cmdline"), "BOOT_IMAGE=/boot/vmlinuz-5.4.0-150-generic root=UUID=5b1e2c9a "
                + "ro " + String.join(" ", nextBoot(root)) + "\n");
    }

    static void apply(Path root, String device, String... extra) {
        List<String> args = new ArrayList<>(List.of("--root", root.toString(), "apply", "--device", device, "--yes",
                "--no-commands"));
        args.addAll(List.of(extra));
        Cli.run(args.toArray(String[]::new)).exits(0);
    }

    static String stubIds(List<String> line) {
        List<String> ids = line.stream().filter(w -> w.startsWith("pci-stub.ids=")).toList();
        assertEquals(1, ids.size(), "exactly one pci-stub.ids= on " + line);
        return ids.get(0);
    }

    @Test
    void aSecondPciStubPlanBeforeTheRebootKeepsTheFirstGpusIds(@TempDir Path tmp) throws Exception {
        Path root = seed1(tmp, false);
        apply(root, "65:00.0");
        assertTrue(nextBoot(root).contains(GTX1660), nextBoot(root).toString());
        // no reboot: /proc/cmdline still lacks the first GPU's ids, the configuration has them
        apply(root, "17:00.0", "--binding", "pci-stub", "--allow-boot-gpu");
        assertEquals(GTX1660 + "," + GTX650, stubIds(nextBoot(root)));
        reboot(root);
        assertEquals(GTX1660 + "," + GTX650, stubIds(Arrays.asList(Files.readString(root.resolve("proc/cmdline")).split("\\s+"))));
    }

    @Test
    void theSameTwoPlansWithARebootBetweenGiveTheSameLine(@TempDir Path tmp) throws Exception {
        Path root = seed1(tmp, false);
        apply(root, "65:00.0");
        reboot(root);
        apply(root, "17:00.0", "--binding", "pci-stub", "--allow-boot-gpu");
        assertEquals(GTX1660 + "," + GTX650, stubIds(nextBoot(root)));
    }

    @Test
    void applyingTheSamePlanAgainBeforeTheRebootChangesNothing(@TempDir Path tmp) throws Exception {
        Path root = seed1(tmp, false);
        apply(root, "65:00.0");
        byte[] after = Files.readAllBytes(root.resolve("etc/default/grub"));
        Cli.Result again = Cli.run("--root", root.toString(), "apply", "--device", "65:00.0", "--yes", "--no-commands").exits(0);
        assertTrue(again.out().contains("Nothing to do"), again.out());
        assertEquals(new String(after), Files.readString(root.resolve("etc/default/grub")));
    }

    @Test
    void twoPlansSavedBeforeEitherIsAppliedTheSecondIsStaleAndAFreshOneKeepsBoth(@TempDir Path tmp) throws Exception {
        Path root = seed1(tmp, false);
        Path first = tmp.resolve("first.json");
        Path second = tmp.resolve("second.json");
        Cli.run("--root", root.toString(), "plan", "--device", "65:00.0", "--out", first.toString()).exits(0);
        Cli.run("--root", root.toString(), "plan", "--device", "17:00.0", "--binding", "pci-stub", "--allow-boot-gpu", "--out", second.toString()).exits(0);
        Cli.run("--root", root.toString(), "apply", first.toString(), "--yes", "--no-commands").exits(0);
        // the second was made from the file before the first apply: applying it would drop the first GPU's ids
        Cli.Result stale = Cli.run("--root", root.toString(), "apply", second.toString(), "--yes", "--no-commands").exits(3);
        assertTrue(stale.err().contains("etc/default/grub"), stale.err());
        assertEquals(GTX1660, stubIds(nextBoot(root)));
        apply(root, "17:00.0", "--binding", "pci-stub", "--allow-boot-gpu");
        assertEquals(GTX1660 + "," + GTX650, stubIds(nextBoot(root)));
    }

    @Test
    void switchingToBuiltInVfioPciBeforeTheRebootLeavesNoPciStubIds(@TempDir Path tmp) throws Exception {
        Path root = seed1(tmp, true);
        apply(root, "65:00.0", "--binding", "pci-stub");
        assertTrue(nextBoot(root).contains(GTX1660));
        apply(root, "65:00.0", "--binding", "vfio-pci");
        List<String> line = nextBoot(root);
        assertTrue(line.contains("vfio-pci.ids=10de:2184,10de:1aeb,10de:1aec,10de:1aed"), line.toString());
        assertFalse(line.stream().anyMatch(w -> w.startsWith("pci-stub.ids")), line.toString());
        // and back again, still before any reboot: the vfio-pci ids go, the pci-stub ids return, once each
        apply(root, "65:00.0", "--binding", "pci-stub");
        line = nextBoot(root);
        assertEquals(GTX1660, stubIds(line));
        assertFalse(line.stream().anyMatch(w -> w.startsWith("vfio-pci.ids")), line.toString());
    }

    @Test
    void switchingOneOfTwoGpusKeepsTheOthersIds(@TempDir Path tmp) throws Exception {
        Path root = seed1(tmp, true);
        apply(root, "65:00.0", "--binding", "pci-stub");
        apply(root, "17:00.0", "--binding", "pci-stub", "--allow-boot-gpu");
        apply(root, "65:00.0", "--binding", "vfio-pci");
        List<String> line = nextBoot(root);
        assertEquals("pci-stub.ids=" + GTX650, stubIds(line));
        assertTrue(line.contains("vfio-pci.ids=10de:2184,10de:1aeb,10de:1aec,10de:1aed"), line.toString());
    }

    @Test
    void anIommuParameterTypedAtGrubsPromptIsStillWrittenAndTheDifferenceIsSaid(@TempDir Path tmp) throws Exception {
        Path root = seed1(tmp, false);
        // the running kernel has intel_iommu=on (typed at GRUB's prompt); /etc/default/grub does not
        Path grub = root.resolve("etc/default/grub");
        Files.writeString(grub, Files.readString(grub).replace("quiet splash intel_iommu=on", "quiet splash"));
        assertTrue(Files.readString(root.resolve("proc/cmdline")).contains("intel_iommu=on"));
        JsonNode plan = Cli.run("--root", root.toString(), "plan", "--device", "65:00.0", "--json").exits(0).json();
        List<String> next = Arrays.asList(plan.get("kernelParameters").asText().split(" "));
        assertTrue(next.contains("intel_iommu=on") && next.contains("iommu=pt"), next.toString());
        JsonNode differs = null;
        for (JsonNode f : plan.get("findings")) if (f.get("code").asText().equals("RUNNING_LINE_DIFFERS")) differs = f;
        assertTrue(differs != null && differs.get("message").asText().contains("intel_iommu=on now, no intel_iommu in the "
                + "configuration"), plan.get("findings").toPrettyString());
        apply(root, "65:00.0");
        assertTrue(nextBoot(root).contains("intel_iommu=on"), nextBoot(root).toString());
    }

    @Test
    void aLineThatAgreesWithTheConfigurationGetsNoDifferenceFinding() {
        JsonNode plan = Cli.run("--root", Cli.sample("seed1-ubuntu-18.04").toString(), "plan", "--device", "65:00.0", "--json")
                .exits(0).json();
        for (JsonNode f : plan.get("findings")) assertFalse(f.get("code").asText().equals("RUNNING_LINE_DIFFERS"), f.toString());
    }
}
