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
import passthrough.api.HostFacts;
import passthrough.api.PciAddress;
import passthrough.core.host.HostFactsReader;
import passthrough.core.host.HostRoot;
import passthrough.fixtures.SampleHosts;

/**
 * The Intel VMD laptop: its root NVMe sits in PCI domain 10000 behind the Volume Management Device 0000:00:0e.0 and,
 * as on a real kernel, has no IOMMU group of its own. It must show up in the VMD controller's group, and reserving
 * that group must be refused because the NVMe holds the mounted root filesystem.
 */
class VmdHostTest {
    private static final String VMD = "0000:00:0e.0";
    private static final String ROOT_PORT = "10000:e0:1d.0";
    private static final String NVME = "10000:e1:00.0";

    private static Path host() {
        return Cli.sample(SampleHosts.INTEL_VMD_LAPTOP);
    }

    private static JsonNode groupHolding(JsonNode groups, String address) {
        for (JsonNode g : groups.get("groups")) {
            for (JsonNode d : g.get("devices")) if (d.get("address").asText().equals(address)) return g;
        }
        throw new AssertionError(address + " is in no group: " + groups.toPrettyString());
    }

    private static List<String> addresses(JsonNode group) {
        List<String> out = new ArrayList<>();
        group.get("devices").forEach(d -> out.add(d.get("address").asText()));
        return out;
    }

    @Test
    void groupsJsonListsTheVmdNvmeInTheControllersGroup() {
        JsonNode j = Cli.run("--root", host().toString(), "groups", "--json").exits(0).json();
        assertTrue(j.get("iommuActive").asBoolean());
        JsonNode g = groupHolding(j, VMD);
        assertEquals(5, g.get("id").asInt());
        assertEquals(List.of(VMD, ROOT_PORT, NVME), addresses(g));
        for (JsonNode d : g.get("devices")) assertEquals(5, d.get("iommuGroup").asInt(), d.toString());
        JsonNode nvme = g.get("devices").get(2);
        assertEquals("144d", nvme.get("vendor").asText());
        assertEquals("0x010802", nvme.get("class").asText());
        assertEquals("nvme", nvme.get("driver").asText());
        assertEquals(List.of("0000:01:00.0", "0000:01:00.1"), addresses(groupHolding(j, "0000:01:00.0")));
        assertEquals(0, j.get("ungroupedDevices").size());
    }

    @Test
    void groupsTextShowsTheLongDomainUnderTheVmdGroup() {
        String out = Cli.run("--root", host().toString(), "groups").exits(0).out();
        int group5 = out.indexOf("IOMMU group 5\n");
        int next = out.indexOf("IOMMU group ", group5 + 1);
        assertTrue(group5 >= 0, out);
        String block = out.substring(group5, next < 0 ? out.length() : next);
        assertTrue(block.contains("\n  00:0e.0 RAID bus controller [0104]: "), block);
        assertTrue(block.contains("\n  10000:e0:1d.0 PCI bridge [0604]: "), block);
        assertTrue(block.contains("\n  10000:e1:00.0 Non-Volatile memory controller [0108]: "), block);
        assertTrue(block.contains("driver: nvme"), block);
        // --device takes the five-digit domain too
        String one = Cli.run("--root", host().toString(), "groups", "--device", NVME).exits(0).out();
        assertTrue(one.startsWith("IOMMU group 5\n") && one.contains(NVME), one);
    }

    @Test
    void checkSaysWhichDevicesJoinedTheVmdGroup() {
        JsonNode j = Cli.run("--root", host().toString(), "check", "--json").exits(0).json();
        List<JsonNode> behind = new ArrayList<>();
        for (JsonNode f : j.get("findings")) if (f.get("code").asText().equals("BEHIND_VMD")) behind.add(f);
        assertEquals(2, behind.size(), j.get("findings").toPrettyString());
        JsonNode nvme = behind.get(1);
        assertEquals("info", nvme.get("severity").asText());
        String m = nvme.get("message").asText();
        assertTrue(m.contains(NVME) && m.contains(VMD) && m.contains("group 5"), m);
        assertFalse(Cli.codes(j).contains("NO_IOMMU_GROUP"), Cli.codes(j).toString());
        assertFalse(Cli.codes(j).contains("BAD_DEVICE_ENTRY"), Cli.codes(j).toString());
        assertFalse(Cli.codes(j).contains("CRITICAL_DEVICE_UNKNOWN"), Cli.codes(j).toString());
    }

    @Test
    void factsPutTheNvmeInTheVmdGroupAndKnowItHoldsTheRootFilesystem() throws Exception {
        HostFacts facts = HostFactsReader.read(HostRoot.ofTree(host()));
        PciAddress nvme = PciAddress.parse(NVME);
        assertEquals(Integer.valueOf(5), facts.device(nvme).orElseThrow().iommuGroup());
        assertEquals(List.of(PciAddress.parse(VMD), PciAddress.parse(ROOT_PORT), nvme), facts.group(5).orElseThrow().devices());
        assertEquals(List.of(nvme), List.copyOf(facts.criticalDevices().keySet()));
        assertTrue(facts.criticalDevices().get(nvme).contains("/dev/nvme0n1p2 on /"), facts.criticalDevices().toString());
    }

    @Test
    void reservingTheVmdControllerIsRefusedBecauseItsGroupHoldsTheRootNvme() {
        for (String device : List.of("00:0e.0", VMD, NVME)) {
            Cli.Result r = Cli.run("--root", host().toString(), "plan", "--device", device, "--allow-shared-group",
                    "--allow-boot-gpu").exits(3);
            assertEquals("", r.out());
            assertTrue(r.err().contains("holds " + NVME + " Non-Volatile memory controller")
                    && r.err().contains("controls the disk of the root filesystem (/dev/nvme0n1p2 on /"), r.err());
            assertFalse(r.err().contains("--allow"), "no flag overrides it: " + r.err());
        }
    }

    @Test
    void anUnpackedReportStillKnowsTheRootNvmeBehindVmd(@TempDir Path tmp) throws Exception {
        Path archive = tmp.resolve("host.tar.gz");
        Cli.run("--root", host().toString(), "report", "--out", archive.toString()).exits(0);
        Path unpacked = Files.createDirectories(tmp.resolve("unpacked"));
        assertEquals(0, Cli.exec(null, "tar", "xzf", archive.toString(), "-C", unpacked.toString()).exit());
        Cli.Result r = Cli.run("--root", unpacked.toString(), "plan", "--device", VMD, "--allow-shared-group").exits(3);
        assertTrue(r.err().contains("controls the disk of the root filesystem (/dev/nvme0n1p2 on /"), r.err());
    }

    @Test
    void theNvidiaGpuIsPlannedWithItsAudioFunction() {
        JsonNode plan = Cli.run("--root", host().toString(), "plan", "--device", "01:00.0", "--json").exits(0).json();
        assertEquals(13, plan.get("iommuGroup").asInt());
        List<String> reserved = new ArrayList<>();
        plan.get("reserved").forEach(d -> reserved.add(d.get("address").asText()));
        assertEquals(List.of("0000:01:00.0", "0000:01:00.1"), reserved);
        assertTrue(plan.get("kernelParameters").asText().contains("iommu=pt"), plan.get("kernelParameters").asText());
        assertFalse(plan.toString().contains("10000:"), "nothing behind VMD is touched: " + plan.toPrettyString());
    }

    @Test
    void aDeviceWithoutAGroupAndNoVmdAboveItIsAWarningNotDropped(@TempDir Path tmp) throws Exception {
        // the GPU's audio function loses its group: no link, not listed; its parent (a same-domain root port) has one
        Path root = Cli.write(SampleHosts.byName(SampleHosts.INTEL_VMD_LAPTOP), tmp.resolve("host"));
        Files.delete(root.resolve("sys/kernel/iommu_groups/13/devices/0000:01:00.1"));
        Files.delete(root.resolve("sys/devices/pci0000:00/0000:00:01.0/0000:01:00.1/iommu_group"));
        JsonNode check = Cli.run("--root", root.toString(), "check", "--json").exits(0).json();
        JsonNode f = finding(check, "NO_IOMMU_GROUP");
        assertEquals("warning", f.get("severity").asText());
        assertTrue(f.get("message").asText().contains("sys/bus/pci/devices/0000:01:00.1"), f.toString());
        assertFalse(f.get("fix").asText().isEmpty());
    }

    @Test
    void aRootDiskWhoseBlockEntryIsMissingIsAWarning(@TempDir Path tmp) throws Exception {
        Path root = Cli.write(SampleHosts.byName(SampleHosts.INTEL_VMD_LAPTOP), tmp.resolve("host"));
        Files.delete(root.resolve("sys/class/block/nvme0n1p2"));
        JsonNode check = Cli.run("--root", root.toString(), "check", "--json").exits(0).json();
        JsonNode f = finding(check, "CRITICAL_DEVICE_UNKNOWN");
        assertEquals("warning", f.get("severity").asText());
        assertTrue(f.get("message").asText().contains("sys/class/block/nvme0n1p2"), f.toString());
    }

    @Test
    void aGroupLinkThatNamesNoGroupIsAWarning(@TempDir Path tmp) throws Exception {
        Path root = Cli.write(SampleHosts.byName(SampleHosts.INTEL_VMD_LAPTOP), tmp.resolve("host"));
        Path link = root.resolve("sys/devices/pci0000:00/0000:00:01.0/0000:01:00.1/iommu_group");
        Files.delete(link);
        Files.createSymbolicLink(link, Path.of("../../../../kernel/iommu_groups/thirteen"));
        JsonNode check = Cli.run("--root", root.toString(), "check", "--json").exits(0).json();
        JsonNode f = finding(check, "BAD_IOMMU_GROUP_LINK");
        assertTrue(f.get("message").asText().contains("sys/bus/pci/devices/0000:01:00.1/iommu_group"), f.toString());
        // the group listing still places it
        JsonNode groups = Cli.run("--root", root.toString(), "groups", "--json").exits(0).json();
        assertEquals(List.of("0000:01:00.0", "0000:01:00.1"), addresses(groupHolding(groups, "0000:01:00.1")));
    }

    @Test
    void anUnparseableDeviceEntryIsAWarningNamingThePath(@TempDir Path tmp) throws Exception {
        Path root = Cli.write(SampleHosts.byName(SampleHosts.INTEL_VMD_LAPTOP), tmp.resolve("host"));
        // six domain digits with a leading zero: not how the kernel prints any domain
        Files.createSymbolicLink(root.resolve("sys/bus/pci/devices/010000:e1:00.0"),
                Path.of("../../../devices/pci0000:00/0000:00:0e.0/pci10000:e0/10000:e0:1d.0/10000:e1:00.0"));
        JsonNode check = Cli.run("--root", root.toString(), "check", "--json").exits(0).json();
        JsonNode f = finding(check, "BAD_DEVICE_ENTRY");
        assertEquals("warning", f.get("severity").asText());
        assertTrue(f.get("message").asText().contains("sys/bus/pci/devices/010000:e1:00.0"), f.toString());
        // the real entries are still read
        JsonNode groups = Cli.run("--root", root.toString(), "groups", "--json").exits(0).json();
        assertEquals(List.of(VMD, ROOT_PORT, NVME), addresses(groupHolding(groups, NVME)));
    }

    @Test
    void aGroupMemberMissingFromTheBusIsAWarning(@TempDir Path tmp) throws Exception {
        Path root = Cli.write(SampleHosts.byName(SampleHosts.INTEL_VMD_LAPTOP), tmp.resolve("host"));
        Files.createSymbolicLink(root.resolve("sys/kernel/iommu_groups/13/devices/0000:01:00.2"),
                Path.of("../../../../devices/pci0000:00/0000:00:01.0/0000:01:00.2"));
        JsonNode check = Cli.run("--root", root.toString(), "check", "--json").exits(0).json();
        JsonNode f = finding(check, "GROUP_MEMBER_NOT_ON_BUS");
        assertTrue(f.get("message").asText().contains("sys/kernel/iommu_groups/13/devices/0000:01:00.2"), f.toString());
    }

    private static JsonNode finding(JsonNode check, String code) {
        for (JsonNode f : check.get("findings")) if (f.get("code").asText().equals(code)) return f;
        throw new AssertionError("no " + code + " finding: " + check.get("findings").toPrettyString());
    }
}
