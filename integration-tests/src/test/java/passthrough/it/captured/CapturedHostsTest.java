package passthrough.it.captured;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import passthrough.cli.Main;

/**
 * Hosts captured from a real Linux kernel: a Debian bookworm guest (kernel 6.1) booted under QEMU TCG on a q35
 * machine with an emulated intel-iommu, amd-iommu or no IOMMU, running {@code passthrough report} inside
 * (integration-tests/real-kernel/capture-fixtures). Each archive is unpacked with the real {@code tar xzf} and
 * replayed with {@code --root}; the assertions are facts only a real kernel produces: IOMMU groups, the ACPI
 * tables, the module tree, sysfs's view of the emulated devices.
 *
 * <p>The guest's devices (see real-kernel/lib/boot.sh): 00:01.0 std VGA [1234:1111] (the decoy), 00:10.0
 * pcie-root-port above the "GPU" 01:00.0 bochs-display [1234:1111] + 01:00.1 ich9 HDA [8086:293e] + 01:00.2
 * qemu-xhci [1b36:000d], 00:11.0 pcie-root-port above 02:00.0 e1000e.
 */
class CapturedHostsTest {
    static final String INTEL = "qemu-q35-intel-iommu";
    static final String AMD = "qemu-q35-amd-iommu";
    static final String NONE = "qemu-q35-no-iommu";
    static final String GPU = "0000:01:00.0";
    static final Set<String> GPU_GROUP = Set.of("0000:01:00.0", "0000:01:00.1", "0000:01:00.2");
    static final Set<String> GPU_GROUP_IDS = Set.of("1234:1111", "8086:293e", "1b36:000d");

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    static final Map<String, Path> roots = new HashMap<>();

    record Run(int exit, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("not JSON (exit " + exit + "): " + out + "\nstderr: " + err, e);
            }
        }
    }

    @BeforeAll
    static void unpack() throws Exception {
        assertNotNull(System.getProperty("passthrough.plugins"), "surefire sets passthrough.plugins");
        for (String name : List.of(INTEL, AMD, NONE)) {
            Path archive = resource(name + ".tar.gz");
            Path dir = Files.createDirectory(tmp.resolve(name));
            Process p = new ProcessBuilder("tar", "xzf", archive.toString(), "-C", dir.toString())
                    .redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "tar xzf " + archive);
            assertEquals(0, p.exitValue(), "tar xzf " + archive + ": " + output);
            roots.put(name, dir);
        }
    }

    static Path resource(String name) throws URISyntaxException {
        URL url = CapturedHostsTest.class.getResource("/captured/" + name);
        assertNotNull(url, "test resource captured/" + name + " (make it with integration-tests/real-kernel/capture-fixtures)");
        return Path.of(url.toURI());
    }

    static Run run(String capture, String... args) {
        List<String> all = new ArrayList<>(List.of("--root", roots.get(capture).toString()));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    static List<JsonNode> devices(JsonNode groupsJson) {
        List<JsonNode> all = new ArrayList<>();
        groupsJson.get("groups").forEach(g -> g.get("devices").forEach(all::add));
        groupsJson.get("ungroupedDevices").forEach(all::add);
        return all;
    }

    static String id(JsonNode device) {
        return device.get("vendor").asText() + ":" + device.get("device").asText();
    }

    static JsonNode device(JsonNode groupsJson, String address) {
        return devices(groupsJson).stream().filter(d -> d.get("address").asText().equals(address)).findFirst()
                .orElseThrow(() -> new AssertionError("no device " + address));
    }

    @ParameterizedTest
    @ValueSource(strings = {INTEL, AMD})
    void iommuIsActiveWithGroups(String capture) {
        Run groups = run(capture, "groups", "--json");
        assertEquals(0, groups.exit(), groups.err());
        JsonNode g = groups.json();
        assertTrue(g.get("iommuActive").asBoolean());
        assertTrue(g.get("groups").size() >= 5, "one group per root-bus device at least: " + g.get("groups").size());
        assertEquals(0, g.get("ungroupedDevices").size());
        JsonNode check = run(capture, "check", "--json").json();
        assertTrue(check.at("/iommu/active").asBoolean());
        assertEquals(g.get("groups").size(), check.at("/iommu/groups").asInt());
        assertFalse(check.at("/iommu/units").isEmpty(), "sys/class/iommu lists the IOMMU unit(s)");
    }

    @ParameterizedTest
    @ValueSource(strings = {INTEL, AMD})
    void theGpuGroupHoldsExactlyTheThreeFunctions(String capture) {
        JsonNode g = run(capture, "groups", "--json").json();
        JsonNode gpu = device(g, GPU);
        int groupId = gpu.get("iommuGroup").asInt();
        JsonNode group = null;
        for (JsonNode x : g.get("groups")) if (x.get("id").asInt() == groupId) group = x;
        assertNotNull(group, "group " + groupId);
        Set<String> addresses = new TreeSet<>();
        Set<String> ids = new TreeSet<>();
        group.get("devices").forEach(d -> {
            addresses.add(d.get("address").asText());
            ids.add(id(d));
        });
        assertEquals(new TreeSet<>(GPU_GROUP), addresses);
        assertEquals(new TreeSet<>(GPU_GROUP_IDS), ids);
        assertTrue(group.get("hasDisplay").asBoolean());
        assertEquals("0x038000", gpu.get("class").asText(), "bochs-display is a display controller, not VGA");
        // the functions are bound to their native drivers: nothing reserved them
        assertEquals("bochs-drm", gpu.get("driver").asText());
        assertEquals("xhci_hcd", device(g, "0000:01:00.2").get("driver").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {INTEL, AMD, NONE})
    void theDecoyVgaHasTheSameIdOutsideTheGpuGroup(String capture) {
        JsonNode g = run(capture, "groups", "--json").json();
        List<JsonNode> same = devices(g).stream().filter(d -> id(d).equals("1234:1111")).toList();
        assertEquals(Set.of(GPU, "0000:00:01.0"),
                same.stream().map(d -> d.get("address").asText()).collect(Collectors.toSet()));
        JsonNode decoy = device(g, "0000:00:01.0");
        assertEquals("0x030000", decoy.get("class").asText(), "std VGA");
        if (g.get("iommuActive").asBoolean()) {
            assertNotEquals(device(g, GPU).get("iommuGroup").asInt(), decoy.get("iommuGroup").asInt());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {INTEL, AMD, NONE})
    void theRootPortsAreFlaggedAsBridges(String capture) {
        JsonNode g = run(capture, "groups", "--json").json();
        for (String port : List.of("0000:00:10.0", "0000:00:11.0")) {
            JsonNode d = device(g, port);
            assertTrue(d.get("class").asText().startsWith("0x0604"), port + " " + d.get("class"));
            assertTrue(d.get("bridge").asBoolean(), port + " is a bridge");
            assertEquals("1b36:000c", id(d), "QEMU PCIe root port");
        }
        assertFalse(device(g, GPU).get("bridge").asBoolean());
        // and the text output marks them
        Run text = run(capture, "groups");
        assertTrue(text.out().lines().anyMatch(l -> l.contains("00:10.0") && l.contains("[bridge: stays with the host]")),
                text.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {INTEL, AMD, NONE})
    void kernelAndModulesComeFromDebianBookworm(String capture) {
        JsonNode check = run(capture, "check", "--json").json();
        assertTrue(check.at("/kernel/release").asText().startsWith("6.1."), check.at("/kernel/release").asText());
        assertEquals("module", check.at("/drivers/vfioPci").asText(), "Debian builds vfio-pci as a module");
        assertEquals("module", check.at("/drivers/pciStub").asText(), "Debian builds pci-stub as a module");
        assertEquals("debian", check.at("/distribution/id").asText());
        assertEquals("12", check.at("/distribution/version").asText());
        assertTrue(check.at("/kernel/cmdline").asText().contains("root=/dev/vda"), check.at("/kernel/cmdline").asText());
    }

    @Test
    void intelCaptureHasAnIntelCpuAndTheDmarTable() throws Exception {
        JsonNode check = run(INTEL, "check", "--json").json();
        assertEquals("intel", check.at("/cpu/vendor").asText());
        assertEquals("present", check.at("/iommu/firmware").asText());
        assertEquals("intel-vtd", check.at("/iommu/probe").asText());
        Path tables = roots.get(INTEL).resolve("sys/firmware/acpi/tables");
        assertTrue(Files.exists(tables.resolve("DMAR")), "DMAR in the archive");
        assertFalse(Files.exists(tables.resolve("IVRS")), "no IVRS on an Intel machine");
        assertTrue(check.at("/kernel/cmdline").asText().contains("intel_iommu=on"));
        // QEMU's intel-iommu registers as DMAR unit dmar0 (sys/class/iommu/dmar0)
        assertEquals("[\"dmar0\"]", check.at("/iommu/units").toString());
    }

    @Test
    void amdCaptureHasAnAmdCpuAndTheIvrsTable() throws Exception {
        JsonNode check = run(AMD, "check", "--json").json();
        assertEquals("amd", check.at("/cpu/vendor").asText());
        assertEquals("present", check.at("/iommu/firmware").asText());
        assertEquals("amd-vi", check.at("/iommu/probe").asText());
        Path tables = roots.get(AMD).resolve("sys/firmware/acpi/tables");
        assertTrue(Files.exists(tables.resolve("IVRS")), "IVRS in the archive");
        assertFalse(Files.exists(tables.resolve("DMAR")), "no DMAR on an AMD machine");
        assertTrue(check.at("/cpu/virtualization").asBoolean(), "TCG's max CPU has svm");
        assertEquals("[\"ivhd0\"]", check.at("/iommu/units").toString(), "sys/class/iommu/ivhd0");
    }

    @Test
    void noIommuCaptureIsNotReady() {
        Run groups = run(NONE, "groups");
        assertEquals(1, groups.exit(), groups.out() + groups.err());
        assertTrue(groups.out().contains("The IOMMU is not active"), groups.out());
        JsonNode g = run(NONE, "groups", "--json").json();
        assertFalse(g.get("iommuActive").asBoolean());
        assertEquals(0, g.get("groups").size());
        assertTrue(g.get("ungroupedDevices").size() >= 12, g.toString());
        Run check = run(NONE, "check", "--json");
        assertEquals(1, check.exit(), check.out() + check.err());
        JsonNode c = check.json();
        assertFalse(c.get("ready").asBoolean());
        assertFalse(c.at("/iommu/active").asBoolean());
        List<String> codes = new ArrayList<>();
        c.get("findings").forEach(f -> codes.add(f.get("code").asText()));
        assertTrue(codes.contains("IOMMU_INACTIVE"), codes.toString());
        assertEquals("absent", c.at("/iommu/firmware").asText(), "no DMAR without an IOMMU device");
        assertEquals("intel", c.at("/cpu/vendor").asText());
    }

    /**
     * The archive holds everything the tool reads: replaying it gives what the live guest printed
     * (captured/NAME.groups.json and NAME.check.json are the guest's own --json output).
     */
    @ParameterizedTest
    @ValueSource(strings = {INTEL, AMD, NONE})
    void replayedGroupsEqualTheLiveRun(String capture) throws Exception {
        JsonNode live = JSON.readTree(Files.readString(resource(capture + ".groups.json")));
        JsonNode replay = withoutEnvelope(run(capture, "groups", "--json").json());
        if (!live.has("usb")) {
            // recorded before `groups --usb` existed; without --usb the field is null
            assertTrue(replay.get("usb").isNull(), replay.toString());
            ((com.fasterxml.jackson.databind.node.ObjectNode) replay).remove("usb");
        }
        assertEquals(withoutEnvelope(live), replay);
    }

    /**
     * The document without the --json envelope (schemaVersion, command; docs/json.md): the captured files predate
     * it, and the envelope says nothing about the host. The replay's envelope is checked here instead.
     */
    static JsonNode withoutEnvelope(JsonNode doc) {
        com.fasterxml.jackson.databind.node.ObjectNode copy = ((com.fasterxml.jackson.databind.node.ObjectNode) doc).deepCopy();
        if (copy.has("schemaVersion")) assertEquals(1, copy.get("schemaVersion").asInt(), "schemaVersion");
        copy.remove("schemaVersion");
        copy.remove("command");
        return copy;
    }

    /** Codes of the findings `check` takes from the distribution profile (ProfileFindings). */
    static final java.util.Set<String> PROFILE_FINDINGS = java.util.Set.of("PROFILE", "PROFILE_CLOSEST", "NO_PROFILE",
            "PACKAGES_MISSING", "HOST_QUIRK", "HOST_QUIRK_LATER");

    /**
     * The replay without what the distribution profile adds (the "profile" field and its findings), for a live run
     * recorded before profiles existed: those parts come from the profile files, not from the captured kernel. The
     * CI's capture step records the live run anew with this version, and then it is compared whole.
     */
    static JsonNode withoutProfile(JsonNode doc) {
        com.fasterxml.jackson.databind.node.ObjectNode copy = ((com.fasterxml.jackson.databind.node.ObjectNode) doc).deepCopy();
        copy.remove("profile");
        com.fasterxml.jackson.databind.node.ArrayNode kept = copy.putArray("findings");
        for (JsonNode f : doc.get("findings")) if (!PROFILE_FINDINGS.contains(f.get("code").asText())) kept.add(f);
        return copy;
    }

    @ParameterizedTest
    @ValueSource(strings = {INTEL, AMD, NONE})
    void replayedCheckEqualsTheLiveRun(String capture) throws Exception {
        JsonNode live = JSON.readTree(Files.readString(resource(capture + ".check.json")));
        JsonNode replay = withoutEnvelope(run(capture, "check", "--json").json());
        assertEquals("debian-12", replay.get("profile").get("id").asText(), "the captured Debian 12 guest's profile");
        assertEquals(withoutEnvelope(live), live.has("profile") ? replay : withoutProfile(replay));
    }
}
