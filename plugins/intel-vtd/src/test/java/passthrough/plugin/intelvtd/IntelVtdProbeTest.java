package passthrough.plugin.intelvtd;

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
import passthrough.api.KernelCommandLine;
import passthrough.api.Presence;

class IntelVtdProbeTest {
    private final IntelVtdProbe probe = new IntelVtdProbe();

    static HostFacts host(CpuVendor vendor, String cmdline, Presence dmar) {
        return HostFacts.builder().firmwareTables(Map.of(FirmwareTable.DMAR, dmar))
                .cpu(new CpuInfo(vendor, "cpu", true, true)).commandLine(cmdline).build();
    }

    private String applied(String cmdline) {
        HostFacts h = host(CpuVendor.INTEL, cmdline, Presence.PRESENT);
        return probe.requirement(h).applyTo(h.commandLine()).toString();
    }

    @Test
    void recognisesIntelCpusAndDmarOnUnknownCpus() {
        assertTrue(probe.recognizes(host(CpuVendor.INTEL, "", Presence.ABSENT)));
        assertTrue(probe.recognizes(host(CpuVendor.UNKNOWN, "", Presence.PRESENT)));
        assertFalse(probe.recognizes(host(CpuVendor.AMD, "", Presence.PRESENT)));
    }

    @Test
    void asksForIntelIommuOnAndPassThrough() {
        assertEquals("quiet splash intel_iommu=on iommu=pt", applied("quiet splash"));
        assertEquals("quiet splash intel_iommu=on iommu=pt", applied("quiet splash intel_iommu=on iommu=pt"));
    }

    @Test
    void turnsOffIntoOnKeepingOtherOptions() {
        assertEquals("intel_iommu=on,igfx_off quiet iommu=pt", applied("intel_iommu=off,igfx_off quiet iommu=off"));
    }

    @Test
    void conflictsAreErrorsWithAFix() {
        IommuRequirement r = probe.requirement(host(CpuVendor.INTEL, "quiet intel_iommu=off iommu=off", Presence.PRESENT));
        assertEquals(2, r.findings().stream().filter(f -> f.code().equals("CMDLINE_CONFLICT")).count());
        assertTrue(r.findings().get(0).fix().contains("remove 'intel_iommu=off'"));
        assertFalse(r.isMetBy(KernelCommandLine.parse("quiet intel_iommu=off iommu=off")));
    }

    @Test
    void keepsADeliberateIommuMode() {
        assertEquals("iommu=force intel_iommu=on", applied("iommu=force"));
        assertEquals(FirmwareTable.DMAR, probe.requirement(host(CpuVendor.INTEL, "", Presence.PRESENT)).firmwareTable());
    }
}
