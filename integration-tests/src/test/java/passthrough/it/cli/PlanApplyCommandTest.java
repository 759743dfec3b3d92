package passthrough.it.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

/** plan / apply / rollback on the seed hosts, through the CLI and the bundled plugins. */
class PlanApplyCommandTest {

    static List<String> paths(JsonNode plan) {
        List<String> out = new ArrayList<>();
        plan.get("files").forEach(f -> out.add(f.get("path").asText()));
        return out;
    }

    @Test
    void seed1GetsTheSeedsPciStubIdsOnTheGrubLine() {
        JsonNode plan = Cli.run("--root", Cli.sample("seed1-ubuntu-18.04").toString(), "plan", "--device", "65:00.0", "--json")
                .exits(0).json();
        assertEquals("pci-stub", plan.get("binding").asText(), "vfio-pci is a module and xhci_pci is built in: pci-stub, as the seed did");
        assertEquals(34, plan.get("iommuGroup").asInt());
        assertEquals(4, plan.get("reserved").size());
        assertTrue(plan.get("kernelParameters").asText().endsWith("pci-stub.ids=10de:2184,10de:1aeb,10de:1aec,10de:1aed"),
                plan.get("kernelParameters").asText());
        assertEquals(List.of("etc/default/grub"), paths(plan));
        assertEquals("update-grub", plan.get("commands").get(0).get("argv").get(0).asText());
    }

    @Test
    void seed1WithVfioPciIsRefusedBecauseXhciIsBuiltIn() {
        Cli.Result r = Cli.run("--root", Cli.sample("seed1-ubuntu-18.04").toString(), "plan", "--device", "65:00.0",
                "--binding", "vfio-pci").exits(3);
        assertTrue(r.err().contains("xhci_pci") && r.err().contains("built into kernel"), r.err());
    }

    @Test
    void seed2LfsGetsModprobeOptionsAndSysconfigModules() {
        JsonNode plan = Cli.run("--root", Cli.sample("seed2-lfs-12.2").toString(), "plan", "--device", "82:00.0", "--json")
                .exits(0).json();
        assertEquals("vfio-pci", plan.get("binding").asText());
        assertEquals(List.of("etc/modprobe.d/passthrough-vfio.conf", "etc/sysconfig/modules"), paths(plan));
        assertTrue(plan.get("files").get(0).get("after").asText().contains("options vfio-pci ids=10de:1e37\n"));
        String sysconfig = plan.get("files").get(1).get("after").asText();
        assertTrue(sysconfig.contains("vfio\nvfio_iommu_type1\nvfio_pci\n# End /etc/sysconfig/modules"), sysconfig);
        assertEquals(0, plan.get("commands").size(), "LFS has no initramfs to rebuild");
    }

    @Test
    void sharedGroupAndBootGpuAreRefusedWithTheirOverride() {
        Cli.Result shared = Cli.run("--root", Cli.sample("amd-shared-group").toString(), "plan", "--device", "07:00.0").exits(3);
        assertTrue(shared.err().contains("--allow-shared-group") && shared.err().contains("06:00.0 SATA controller"), shared.err());
        Cli.Result boot = Cli.run("--root", Cli.sample("seed1-ubuntu-18.04").toString(), "plan", "--device", "17:00.0").exits(3);
        assertTrue(boot.err().contains("--allow-boot-gpu"), boot.err());
    }

    @Test
    void applyTwiceRollbackAndAStalePlan(@TempDir Path tmp) throws Exception {
        Path root = Cli.copyTree(Cli.sample("seed1-ubuntu-18.04"), tmp.resolve("host"));
        byte[] original = Files.readAllBytes(root.resolve("etc/default/grub"));
        Path planFile = tmp.resolve("plan.json");
        Cli.run("--root", root.toString(), "plan", "--device", "65:00.0", "--out", planFile.toString()).exits(0);

        // someone edits the file after the plan was made: the saved plan is stale and refused, nothing written
        Files.writeString(root.resolve("etc/default/grub"), new String(original) + "# edited by hand\n");
        Cli.Result stale = Cli.run("--root", root.toString(), "apply", planFile.toString(), "--yes", "--no-commands").exits(3);
        assertTrue(stale.err().contains("etc/default/grub"), stale.err());
        assertTrue(Files.readString(root.resolve("etc/default/grub")).endsWith("# edited by hand\n"));
        Files.write(root.resolve("etc/default/grub"), original);

        Cli.Result first = Cli.run("--root", root.toString(), "apply", planFile.toString(), "--yes", "--no-commands").exits(0);
        assertTrue(first.out().contains("replace etc/default/grub"), first.out());
        assertTrue(Files.readString(root.resolve("etc/default/grub")).contains("pci-stub.ids=10de:2184,10de:1aeb,10de:1aec,10de:1aed"));
        Cli.Result again = Cli.run("--root", root.toString(), "apply", "--device", "65:00.0", "--yes", "--no-commands").exits(0);
        assertTrue(again.out().contains("Nothing to do"), again.out());

        Cli.run("--root", root.toString(), "rollback", "--no-commands").exits(0);
        assertArrayEquals(original, Files.readAllBytes(root.resolve("etc/default/grub")));
        assertTrue(Cli.run("--root", root.toString(), "history").exits(0).out().contains("rolled_back"));
    }

    @Test
    void aFailingCommandRestoresEveryFile(@TempDir Path tmp) throws Exception {
        Path root = Cli.copyTree(Cli.sample("seed1-ubuntu-18.04"), tmp.resolve("host"));
        byte[] original = Files.readAllBytes(root.resolve("etc/default/grub"));
        // the sample's update-grub is a placeholder that cannot run inside the root (no /bin/sh there)
        Cli.Result r = Cli.run("--root", root.toString(), "apply", "--device", "65:00.0", "--yes").exits(1);
        assertTrue(r.err().contains("update-grub") && r.err().contains("restored"), r.err());
        assertArrayEquals(original, Files.readAllBytes(root.resolve("etc/default/grub")));
        assertFalse(Cli.run("--root", root.toString(), "history").out().contains(" done "));
    }

    @Test
    void theNicOfTheDefaultRouteIsNeverReservedEvenWithTheSharedGroupAllowed(@TempDir Path tmp) throws Exception {
        // the RX 6800's group also holds the chipset's r8169, and this time it carries the default route
        Path root = Cli.write(passthrough.fixtures.SampleHosts.byName("amd-shared-group")
                .file("proc/net/route", "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
                        + "enp5s0\t00000000\t0101A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
                        + "enp5s0\t0001A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n")
                .classEntry("sys/class/net/enp5s0", "0000:05:00.0", "net/enp5s0"), tmp.resolve("host"));
        Cli.Result r = Cli.run("--root", root.toString(), "plan", "--device", "04:00.0", "--allow-shared-group",
                "--allow-boot-gpu").exits(3);
        assertTrue(r.err().contains("05:00.0 Ethernet controller") && r.err().contains("carries the default network route (enp5s0)"),
                r.err());
        assertFalse(r.err().contains("--allow"), "no flag overrides it: " + r.err());
    }

    @Test
    void seed1WithVfioPciBuiltIntoTheKernelGetsTheSeedsIdsAsVfioPciIds(@TempDir Path tmp) throws Exception {
        // the seed's own way out: a kernel built with CONFIG_VFIO_PCI=y wins against the built-in xhci
        Path root = Cli.write(passthrough.fixtures.SampleHosts.byName("seed1-ubuntu-18.04")
                .builtin("kernel/drivers/vfio/vfio.ko", "kernel/drivers/vfio/vfio_iommu_type1.ko",
                        "kernel/drivers/vfio/pci/vfio-pci.ko"), tmp.resolve("host"));
        JsonNode plan = Cli.run("--root", root.toString(), "plan", "--device", "65:00.0", "--binding", "vfio-pci", "--json")
                .exits(0).json();
        assertEquals("vfio-pci", plan.get("binding").asText());
        assertTrue(plan.get("kernelParameters").asText().endsWith("vfio-pci.ids=10de:2184,10de:1aeb,10de:1aec,10de:1aed"),
                plan.get("kernelParameters").asText());
        assertEquals(List.of("etc/default/grub"), paths(plan), "built in: nothing in modprobe.d, no initramfs rebuild");
        assertEquals(1, plan.get("commands").size());
        // and auto now prefers vfio-pci over the seed's pci-stub
        assertEquals("vfio-pci", Cli.run("--root", root.toString(), "plan", "--device", "65:00.0", "--json").exits(0).json()
                .get("binding").asText());
    }

    @Test
    void switchingSeed1FromPciStubToVfioPciTakesThePciStubIdsOffTheLine(@TempDir Path tmp) throws Exception {
        Path root = Cli.write(passthrough.fixtures.SampleHosts.byName("seed1-ubuntu-18.04")
                .builtin("kernel/drivers/vfio/vfio.ko", "kernel/drivers/vfio/vfio_iommu_type1.ko",
                        "kernel/drivers/vfio/pci/vfio-pci.ko"), tmp.resolve("host"));
        Cli.run("--root", root.toString(), "apply", "--device", "65:00.0", "--binding", "pci-stub", "--yes", "--no-commands").exits(0);
        assertTrue(Files.readString(root.resolve("etc/default/grub")).contains("pci-stub.ids=10de:2184"));
        // rebooted with that line
        String cmdline = Files.readString(root.resolve("proc/cmdline")).strip();
        Files.writeString(root.resolve("proc/cmdline"), cmdline + " pci-stub.ids=10de:2184,10de:1aeb,10de:1aec,10de:1aed\n");
        JsonNode plan = Cli.run("--root", root.toString(), "plan", "--device", "65:00.0", "--binding", "vfio-pci", "--json")
                .exits(0).json();
        String line = plan.get("kernelParameters").asText();
        assertTrue(line.endsWith("vfio-pci.ids=10de:2184,10de:1aeb,10de:1aec,10de:1aed") && !line.contains("pci-stub.ids"), line);
    }
}
