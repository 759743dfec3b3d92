package passthrough.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import passthrough.fixtures.HostWriter;
import passthrough.fixtures.SampleHosts;

/** `passthrough groups` on the sample hosts. */
class GroupsCommandTest {

    static List<String> samples() {
        return SampleHosts.names();
    }

    private static JsonNode groups(String sample, String... extra) {
        List<String> args = new ArrayList<>(List.of("--root", Cli.sample(sample).toString(), "groups", "--json"));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new)).exits(0).json();
    }

    private static JsonNode group(JsonNode groups, int id) {
        for (JsonNode g : groups.get("groups")) if (g.get("id").asInt() == id) return g;
        throw new AssertionError("no group " + id);
    }

    private static List<String> field(JsonNode devices, String name) {
        List<String> out = new ArrayList<>();
        devices.forEach(d -> out.add(d.get(name).isNull() ? null : d.get(name).asText()));
        return out;
    }

    @Test
    void seed1Group34IsTheGtx1660WithItsFourFunctions() {
        JsonNode j = groups(SampleHosts.SEED1);
        assertTrue(j.get("iommuActive").asBoolean());
        assertEquals(0, j.get("ungroupedDevices").size());
        JsonNode g = group(j, 34);
        assertTrue(g.get("hasDisplay").asBoolean());
        JsonNode d = g.get("devices");
        assertEquals(List.of("0000:65:00.0", "0000:65:00.1", "0000:65:00.2", "0000:65:00.3"), field(d, "address"));
        assertEquals(List.of("10de", "10de", "10de", "10de"), field(d, "vendor"));
        assertEquals(List.of("2184", "1aeb", "1aec", "1aed"), field(d, "device"));
        assertEquals(List.of("0x030000", "0x040300", "0x0c0330", "0x0c8000"), field(d, "class"));
        assertEquals(List.of("nvidia", "snd_hda_intel", "xhci_hcd", "nvidia-gpu"), field(d, "driver"));
        assertEquals(List.of("1458", "1458", "1458", "1458"), field(d, "subsystemVendor"));
        assertEquals(List.of("3fc8", "3fc8", "3fc8", "3fc8"), field(d, "subsystemDevice"));
        assertEquals(List.of("a1", "a1", "a1", "a1"), field(d, "revision"));
        assertEquals("NVIDIA Corporation TU116 [GeForce GTX 1660]", d.get(0).get("name").asText());
        assertEquals("VGA compatible controller", d.get(0).get("className").asText());
        for (JsonNode x : d) assertEquals(34, x.get("iommuGroup").asInt());
        assertEquals(List.of("nvidia", "nouveau"), texts(d.get(0).get("claimingModules")));
        assertEquals(List.of("snd_hda_intel"), texts(d.get(1).get("claimingModules")));
        assertEquals(List.of("i2c_nvidia_gpu"), texts(d.get(3).get("claimingModules")));
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(x -> out.add(x.asText()));
        return out;
    }

    @ParameterizedTest
    @MethodSource("samples")
    void groupsSortedByIdAndDevicesByAddress(String sample) {
        Cli.Result r = Cli.run("--root", Cli.sample(sample).toString(), "groups", "--json");
        JsonNode j = r.json();
        int last = -1;
        for (JsonNode g : j.get("groups")) {
            assertTrue(g.get("id").asInt() > last, "group ids ascending in " + sample);
            last = g.get("id").asInt();
            List<String> addrs = field(g.get("devices"), "address");
            List<String> sorted = new ArrayList<>(addrs);
            sorted.sort(null);
            assertEquals(sorted, addrs, "devices by address in group " + last + " of " + sample);
            for (JsonNode d : g.get("devices")) assertEquals(last, d.get("iommuGroup").asInt());
        }
        List<String> ungrouped = field(j.get("ungroupedDevices"), "address");
        List<String> sorted = new ArrayList<>(ungrouped);
        sorted.sort(null);
        assertEquals(sorted, ungrouped);
    }

    @ParameterizedTest
    @MethodSource("samples")
    void bridgesAreFlaggedAndOnlyBridges(String sample) {
        JsonNode j = Cli.run("--root", Cli.sample(sample).toString(), "groups", "--json").json();
        List<JsonNode> all = new ArrayList<>();
        j.get("groups").forEach(g -> g.get("devices").forEach(all::add));
        j.get("ungroupedDevices").forEach(all::add);
        assertFalse(all.isEmpty());
        int bridges = 0;
        for (JsonNode d : all) {
            boolean isBridge = d.get("class").asText().startsWith("0x0604");
            assertEquals(isBridge, d.get("bridge").asBoolean(), d.toString());
            if (isBridge) bridges++;
        }
        assertTrue(bridges > 0, "each sample host has PCIe root ports");
    }

    @Test
    void bootVgaIsFlaggedFor1700Only() {
        JsonNode j = groups(SampleHosts.SEED1);
        Set<String> boot = new TreeSet<>();
        j.get("groups").forEach(g -> g.get("devices").forEach(d -> {
            if (d.get("bootVga").asBoolean()) boot.add(d.get("address").asText());
        }));
        assertEquals(Set.of("0000:17:00.0"), boot);
        assertEquals(List.of("0000:17:00.0", "0000:17:00.1"), field(group(j, 24).get("devices"), "address"));
    }

    @Test
    void gpuOnlyKeepsGroupsWithADisplayController() {
        JsonNode seed1 = groups(SampleHosts.SEED1, "--gpu");
        List<Integer> ids = new ArrayList<>();
        seed1.get("groups").forEach(g -> ids.add(g.get("id").asInt()));
        assertEquals(List.of(24, 34), ids);
        JsonNode seed2 = groups(SampleHosts.SEED2, "--gpu");
        ids.clear();
        seed2.get("groups").forEach(g -> ids.add(g.get("id").asInt()));
        assertEquals(List.of(25, 62), ids, "the Matrox BMC VGA and the Tesla (3D controller, 0x0302)");
        JsonNode tesla = group(seed2, 62).get("devices").get(0);
        assertEquals("0x030200", tesla.get("class").asText());
        assertEquals("1e37", tesla.get("device").asText());
        assertEquals("10de", tesla.get("subsystemVendor").asText());
        assertEquals("1370", tesla.get("subsystemDevice").asText());
        assertTrue(tesla.get("driver").isNull());
        for (String s : samples()) {
            JsonNode j = Cli.run("--root", Cli.sample(s).toString(), "groups", "--json", "--gpu").json();
            j.get("groups").forEach(g -> {
                assertTrue(g.get("hasDisplay").asBoolean());
                boolean any = false;
                for (JsonNode d : g.get("devices")) any |= d.get("class").asText().startsWith("0x03");
                assertTrue(any, s + " group " + g.get("id"));
            });
        }
    }

    @Test
    void amdGpuSharesItsGroupWithTheChipset() {
        JsonNode j = groups(SampleHosts.AMD_SHARED);
        JsonNode g = group(j, 15);
        List<String> drivers = field(g.get("devices"), "driver");
        assertTrue(drivers.containsAll(List.of("amdgpu", "snd_hda_intel", "ahci", "xhci_hcd", "r8169")), drivers.toString());
        assertEquals(1, j.get("groups").findValues("bootVga").stream().filter(JsonNode::asBoolean).count());
    }

    @Test
    void textMarksBootVgaAndBridges() {
        Cli.Result r = Cli.run("--root", Cli.sample(SampleHosts.SEED1).toString(), "groups").exits(0);
        String boot = line(r.out(), "17:00.0 ");
        assertTrue(boot.contains("[10de:11c6]") && boot.contains("boot VGA"), boot);
        assertTrue(line(r.out(), "64:00.0 ").contains("[bridge"), r.out());
        assertFalse(line(r.out(), "65:00.0 ").contains("boot VGA"), r.out());
        assertTrue(line(r.out(), "65:00.3 ").contains("driver: nvidia-gpu"), r.out());
        assertTrue(r.out().contains("IOMMU group 34\n"), r.out());
    }

    private static String line(String text, String prefix) {
        return text.lines().map(String::strip).filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line " + prefix + " in\n" + text));
    }

    @Test
    void iommuOff() {
        Path root = Cli.sample(SampleHosts.INTEL_IOMMU_OFF);
        Cli.Result text = Cli.run("--root", root.toString(), "groups").exits(1);
        assertTrue(text.out().contains("The IOMMU is not active"), text.out());
        for (String a : List.of("00:00.0", "00:01.0", "00:14.0", "00:17.0", "00:1f.4", "00:1f.6", "01:00.0", "01:00.1")) {
            assertTrue(text.out().contains("  " + a + " "), a + " not listed:\n" + text.out());
        }
        JsonNode j = Cli.run("--root", root.toString(), "groups", "--json").exits(1).json();
        assertFalse(j.get("iommuActive").asBoolean());
        assertEquals(0, j.get("groups").size());
        assertEquals(8, j.get("ungroupedDevices").size());
        for (JsonNode d : j.get("ungroupedDevices")) assertTrue(d.get("iommuGroup").isNull(), d.toString());
        JsonNode gpuOnly = Cli.run("--root", root.toString(), "groups", "--json", "--gpu").exits(1).json();
        assertEquals(List.of("0000:01:00.0"), field(gpuOnly.get("ungroupedDevices"), "address"));
    }

    @Test
    void syntheticHostWithAThousandDevices(@TempDir Path tmp) throws Exception {
        Path root = HostWriter.write(SampleHosts.synthetic(1024, 256), tmp.resolve("big"));
        JsonNode j = Cli.run("--root", root.toString(), "groups", "--json").exits(0).json();
        assertEquals(256, j.get("groups").size());
        int devices = 0;
        for (JsonNode g : j.get("groups")) devices += g.get("devices").size();
        assertEquals(1024, devices);
        JsonNode check = Cli.run("--root", root.toString(), "check", "--json").exits(0).json();
        assertFalse(Cli.codes(check).contains("MISSING_ATTRIBUTE"));
    }
}
