package passthrough.plugin.amdvi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import passthrough.api.CpuInfo;
import passthrough.api.CpuVendor;
import passthrough.api.FirmwareTable;
import passthrough.api.HostFacts;
import passthrough.api.IommuRequirement;
import passthrough.api.Presence;
import passthrough.api.Severity;

class AmdViProbeTest {
    private final AmdViProbe probe = new AmdViProbe();

    static HostFacts host(CpuVendor vendor, String cmdline, Presence ivrs) {
        return HostFacts.builder().firmwareTables(Map.of(FirmwareTable.IVRS, ivrs))
                .cpu(new CpuInfo(vendor, "cpu", true, true)).commandLine(cmdline).build();
    }

    private String applied(String cmdline) {
        HostFacts h = host(CpuVendor.AMD, cmdline, Presence.PRESENT);
        return probe.requirement(h).applyTo(h.commandLine()).toString();
    }

    @Test
    void recognisesAmdCpusAndIvrsOnUnknownCpus() {
        assertTrue(probe.recognizes(host(CpuVendor.AMD, "", Presence.ABSENT)));
        assertTrue(probe.recognizes(host(CpuVendor.UNKNOWN, "", Presence.PRESENT)));
        assertFalse(probe.recognizes(host(CpuVendor.INTEL, "", Presence.PRESENT)));
    }

    @Test
    void onlyPassThroughIsAddedNeverAmdIommuOn() {
        assertEquals("quiet iommu=pt", applied("quiet"));
        assertEquals("quiet iommu=pt", applied("quiet amd_iommu=on"));
        assertEquals("quiet iommu=pt", applied("quiet amd_iommu=off iommu=off"));
    }

    @Test
    void amdIommuOnIsAWarningAndOffIsAnError() {
        IommuRequirement on = probe.requirement(host(CpuVendor.AMD, "amd_iommu=on iommu=pt", Presence.PRESENT));
        assertEquals(Severity.WARNING, on.findings().get(0).severity());
        assertEquals("AMD_IOMMU_ON_INVALID", on.findings().get(0).code());
        IommuRequirement off = probe.requirement(host(CpuVendor.AMD, "amd_iommu=off", Presence.PRESENT));
        assertEquals(Severity.ERROR, off.findings().get(0).severity());
        assertEquals("CMDLINE_CONFLICT", off.findings().get(0).code());
        assertEquals(FirmwareTable.IVRS, off.firmwareTable());
    }
}
