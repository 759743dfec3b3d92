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

    private static HostFacts withConfig(String cmdline, String release, String config) {
        return HostFacts.builder().firmwareTables(Map.of(FirmwareTable.DMAR, Presence.PRESENT))
                .cpu(new CpuInfo(CpuVendor.INTEL, "cpu", true, true)).commandLine(cmdline).kernelRelease(release)
                .files(config == null ? Map.of() : Map.of("boot/config-" + release, config)).build();
    }

    /** Proxmox VE's 6.8 kernels: CONFIG_INTEL_IOMMU_DEFAULT_ON=y in /boot/config-<release>, so no intel_iommu=on. */
    @Test
    void aKernelBuiltWithVtdOnGetsNoIntelIommuOn() {
        String rel = "6.8.12-4-pve";
        HostFacts h = withConfig("root=ZFS=rpool/ROOT/pve-1 boot=zfs", rel, "# comment\nCONFIG_INTEL_IOMMU=y\n"
                + "CONFIG_INTEL_IOMMU_DEFAULT_ON=y\n# CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF is not set\n");
        IommuRequirement r = probe.requirement(h);
        assertEquals("root=ZFS=rpool/ROOT/pve-1 boot=zfs iommu=pt", r.applyTo(h.commandLine()).toString());
        assertTrue(r.findings().stream().anyMatch(f -> f.code().equals("INTEL_IOMMU_DEFAULT_ON")
                && f.message().contains("boot/config-" + rel)), r.findings().toString());
        // an explicit off still goes
        HostFacts off = withConfig("quiet intel_iommu=off", rel, "CONFIG_INTEL_IOMMU_DEFAULT_ON=y\n");
        assertEquals("quiet iommu=pt", probe.requirement(off).applyTo(off.commandLine()).toString());
        // not set, on only for discrete devices, another release's file, or no file: asked for as before
        for (HostFacts other : java.util.List.of(
                withConfig("quiet", rel, "# CONFIG_INTEL_IOMMU_DEFAULT_ON is not set\n"),
                withConfig("quiet", rel, "CONFIG_INTEL_IOMMU_DEFAULT_ON=y\nCONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF=y\n"),
                withConfig("quiet", rel, null))) {
            assertEquals("quiet intel_iommu=on iommu=pt", probe.requirement(other).applyTo(other.commandLine()).toString());
        }
        HostFacts elsewhere = HostFacts.builder().firmwareTables(Map.of(FirmwareTable.DMAR, Presence.PRESENT))
                .cpu(new CpuInfo(CpuVendor.INTEL, "cpu", true, true)).commandLine("quiet").kernelRelease(rel)
                .files(Map.of("boot/config-6.5.13-6-pve", "CONFIG_INTEL_IOMMU_DEFAULT_ON=y\n")).build();
        assertEquals("quiet intel_iommu=on iommu=pt", probe.requirement(elsewhere).applyTo(elsewhere.commandLine()).toString());
    }
}
