package passthrough.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import passthrough.fixtures.SampleHost;
import passthrough.fixtures.SampleHosts;

/** `passthrough check` on the sample hosts and on variants of them. */
class CheckCommandTest {

    private static JsonNode check(Path root, int exit) {
        return Cli.run("--root", root.toString(), "check", "--json").exits(exit).json();
    }

    @Test
    void seed1IsReady() {
        JsonNode j = check(Cli.sample(SampleHosts.SEED1), 0);
        assertTrue(j.get("ready").asBoolean());
        assertEquals("intel", j.at("/cpu/vendor").asText());
        assertEquals("Intel(R) Core(TM) i9-10900X CPU @ 3.70GHz", j.at("/cpu/model").asText());
        assertTrue(j.at("/cpu/virtualization").asBoolean());
        assertEquals("intel-vtd", j.at("/iommu/probe").asText(), "the intel-vtd plugin was not loaded");
        assertEquals("present", j.at("/iommu/firmware").asText());
        assertTrue(j.at("/iommu/active").asBoolean());
        assertEquals(12, j.at("/iommu/groups").asInt()); // group 13 holds the board's ASMedia USB controller (seed 1's second one)
        assertEquals(List.of("dmar0"), List.of(j.at("/iommu/units/0").asText()));
        assertEquals("intel_iommu=on iommu=pt", j.at("/iommu/requiredParameters").asText());
        assertEquals("5.4.0-150-generic", j.at("/kernel/release").asText());
        assertTrue(j.at("/kernel/cmdline").asText().startsWith("BOOT_IMAGE=/boot/vmlinuz-5.4.0-150-generic "));
        assertTrue(j.at("/kernel/cmdline").asText().endsWith(" quiet splash intel_iommu=on"));
        assertEquals("ubuntu", j.at("/distribution/id").asText());
        assertEquals("18.04", j.at("/distribution/version").asText());
        assertEquals("Ubuntu 18.04.6 LTS", j.at("/distribution/name").asText());
        assertEquals("module", j.at("/drivers/vfioPci").asText());
        assertEquals("builtin", j.at("/drivers/pciStub").asText());
        assertTrue(j.get("findings").size() > 0);
        for (JsonNode f : j.get("findings")) {
            for (String field : List.of("severity", "code", "message", "fix")) assertTrue(f.has(field), field + " in " + f);
            assertTrue(List.of("error", "warning", "info").contains(f.get("severity").asText()), f.toString());
            assertFalse(f.get("severity").asText().equals("error"), "no error expected: " + f);
        }
        assertTrue(Cli.codes(j).containsAll(List.of("CPU_VIRTUALIZATION", "IOMMU_FIRMWARE", "IOMMU_ACTIVE",
                "CMDLINE_SUGGESTION", "VFIO_PCI", "PCI_STUB", "DISTRIBUTION")), Cli.codes(j).toString());
        assertFalse(Cli.codes(j).contains("UNREADABLE_FILE"), "the sample host must read cleanly: " + Cli.codes(j));
    }

    @Test
    void seed1TextSaysReady() {
        Cli.Result r = Cli.run("--root", Cli.sample(SampleHosts.SEED1).toString(), "check").exits(0);
        assertTrue(r.out().contains("READY for passthrough."), r.out());
        assertTrue(r.out().contains("Ubuntu 18.04.6 LTS, kernel 5.4.0-150-generic"), r.out());
    }

    @Test
    void otherReadySamples() {
        JsonNode lfs = check(Cli.sample(SampleHosts.SEED2), 0);
        assertEquals("lfs", lfs.at("/distribution/id").asText());
        assertEquals("12.2", lfs.at("/distribution/version").asText());
        assertEquals("6.10.5-lfs-12.2", lfs.at("/kernel/release").asText());
        assertEquals("missing", lfs.at("/drivers/pciStub").asText());
        assertFalse(Cli.codes(lfs).contains("CMDLINE_SUGGESTION"), "iommu=pt intel_iommu=on is already there");
        JsonNode amd = check(Cli.sample(SampleHosts.AMD_SHARED), 0);
        assertEquals("amd", amd.at("/cpu/vendor").asText());
        assertEquals("amd-vi", amd.at("/iommu/probe").asText());
        assertEquals("ivhd0", amd.at("/iommu/units/0").asText());
        assertEquals("builtin", amd.at("/drivers/vfioPci").asText());
    }

    @Test
    void iommuOffIsNotReadyAndSaysWhatToPutOnTheCommandLine() {
        JsonNode j = check(Cli.sample(SampleHosts.INTEL_IOMMU_OFF), 1);
        assertFalse(j.get("ready").asBoolean());
        assertFalse(j.at("/iommu/active").asBoolean());
        assertEquals(0, j.at("/iommu/groups").asInt());
        assertEquals("present", j.at("/iommu/firmware").asText());
        JsonNode f = Cli.finding(j, "IOMMU_INACTIVE");
        assertEquals("error", f.get("severity").asText());
        assertTrue(f.get("fix").asText().contains("intel_iommu=on iommu=pt"), f.toString());
        assertEquals("debian", j.at("/distribution/id").asText());
        assertEquals("12", j.at("/distribution/version").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"iommu=off", "intel_iommu=off"})
    void iommuTurnedOffOnTheCommandLineIsAConflict(String param, @TempDir Path tmp) {
        SampleHost h = SampleHosts.seed1Ubuntu1804();
        h.cmdline(h.cmdline().replace("intel_iommu=on", param));
        JsonNode j = check(Cli.write(h, tmp.resolve("h")), 1);
        JsonNode f = Cli.finding(j, "CMDLINE_CONFLICT");
        assertEquals("error", f.get("severity").asText());
        assertTrue(f.get("message").asText().contains(param), f.toString());
        assertTrue(f.get("fix").asText().contains("remove '" + param + "'"), f.toString());
    }

    @Test
    void amdIommuOnIsFlaggedAsInvalid(@TempDir Path tmp) {
        SampleHost h = SampleHosts.amdSharedGroup();
        h.cmdline(h.cmdline() + " amd_iommu=on iommu=pt");
        JsonNode j = check(Cli.write(h, tmp.resolve("h")), 0);
        JsonNode f = Cli.finding(j, "AMD_IOMMU_ON_INVALID");
        assertEquals("warning", f.get("severity").asText());
        assertTrue(f.get("message").asText().contains("amd_iommu=on"), f.toString());
    }

    @Test
    void noVirtualizationFlag(@TempDir Path tmp) {
        SampleHost intel = SampleHosts.seed1Ubuntu1804();
        intel.cpuFlags(intel.cpuFlags().replace(" vmx", ""));
        JsonNode j = check(Cli.write(intel, tmp.resolve("intel")), 1);
        assertFalse(j.at("/cpu/virtualization").asBoolean());
        JsonNode f = Cli.finding(j, "CPU_VIRTUALIZATION_OFF");
        assertEquals("error", f.get("severity").asText());
        assertTrue(f.get("message").asText().contains("'vmx'"), f.toString());
        assertTrue(f.get("fix").asText().contains("Intel VT-x"), f.toString());

        SampleHost amd = SampleHosts.amdSharedGroup();
        amd.cpuFlags(amd.cpuFlags().replace(" svm ", " "));
        JsonNode a = check(Cli.write(amd, tmp.resolve("amd")), 1);
        assertTrue(Cli.finding(a, "CPU_VIRTUALIZATION_OFF").get("message").asText().contains("'svm'"));
    }

    @Test
    void dmarAbsent(@TempDir Path tmp) {
        SampleHost h = SampleHosts.intelIommuOff().firmware(SampleHost.Firmware.NONE);
        JsonNode j = check(Cli.write(h, tmp.resolve("h")), 1);
        assertEquals("absent", j.at("/iommu/firmware").asText());
        JsonNode f = Cli.finding(j, "IOMMU_FIRMWARE_ABSENT");
        assertEquals("error", f.get("severity").asText());
        assertTrue(f.get("message").asText().contains("sys/firmware/acpi/tables/DMAR"), f.toString());
    }
}
