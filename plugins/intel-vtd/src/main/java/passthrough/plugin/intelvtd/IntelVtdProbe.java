package passthrough.plugin.intelvtd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.pf4j.Extension;
import passthrough.api.CpuVendor;
import passthrough.api.Finding;
import passthrough.api.FirmwareTable;
import passthrough.api.HardwareProbe;
import passthrough.api.HostFacts;
import passthrough.api.IommuRequirement;
import passthrough.api.KernelCommandLine;
import passthrough.api.KernelParameter;
import passthrough.api.Presence;

/**
 * Intel VT-d: announced by the ACPI DMAR table, turned on with {@code intel_iommu=on} — unless the running kernel's
 * build configuration ({@code /boot/config-<release>}, which Debian, Ubuntu, Proxmox VE, Fedora and Pop!_OS install
 * beside the image) says {@code CONFIG_INTEL_IOMMU_DEFAULT_ON=y} without {@code CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF=y}
 * (Proxmox VE's kernels from 6.8 on: "intel_iommu now defaults to on"), where nothing is added; where the file is
 * missing the parameter is asked for, which is harmless when the IOMMU is on already. {@code iommu=pt} keeps host
 * devices out of DMA translation, so the host loses no speed.
 */
@Extension
public class IntelVtdProbe implements HardwareProbe {

    @Override
    public String id() {
        return "intel-vtd";
    }

    static final String CONFIG_PREFIX = "boot/config-";

    @Override
    public List<String> hostFiles() {
        return List.of(CONFIG_PREFIX + "*");
    }

    /** The running kernel's build configuration turns VT-d on by itself (and not only for discrete devices). */
    static boolean onByDefault(HostFacts facts) {
        if (facts.kernelRelease() == null || facts.kernelRelease().isBlank()) return false;
        String config = facts.files().get(CONFIG_PREFIX + facts.kernelRelease());
        if (config == null) return false;
        List<String> lines = config.lines().map(String::strip).toList();
        return lines.contains("CONFIG_INTEL_IOMMU_DEFAULT_ON=y") && !lines.contains("CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF=y");
    }

    @Override
    public boolean recognizes(HostFacts facts) {
        CpuVendor vendor = facts.cpu().vendor();
        return vendor == CpuVendor.INTEL
                || vendor == CpuVendor.UNKNOWN && facts.firmwareTable(FirmwareTable.DMAR) == Presence.PRESENT;
    }

    @Override
    public IommuRequirement requirement(HostFacts facts, KernelCommandLine line) {
        List<Finding> findings = new ArrayList<>();
        List<KernelParameter> remove = new ArrayList<>();
        for (KernelParameter p : line.parameters()) {
            if ((p.sameName("intel_iommu") || p.sameName("iommu")) && options(p).contains("off")) {
                findings.add(Finding.error("CMDLINE_CONFLICT", "kernel command line has '" + p
                        + "', which turns Intel VT-d off", "remove '" + p + "' (`passthrough plan` replaces it)"));
                if (p.sameName("iommu")) remove.add(p);
            }
        }
        if (onByDefault(facts)) {
            // nothing to turn on; an explicit intel_iommu=off still goes, the user's other intel_iommu options stay
            line.last("intel_iommu").filter(p -> options(p).contains("off")).ifPresent(p -> remove.add(KernelParameter.flag("intel_iommu")));
            findings.add(Finding.info("INTEL_IOMMU_DEFAULT_ON", "/" + CONFIG_PREFIX + facts.kernelRelease() + " says "
                    + "CONFIG_INTEL_IOMMU_DEFAULT_ON=y: the kernel turns VT-d on by itself, so intel_iommu=on is not added"));
            return new IommuRequirement("Intel VT-d", FirmwareTable.DMAR, List.of(iommuPassThrough(line, findings)), remove,
                    findings);
        }
        return new IommuRequirement("Intel VT-d", FirmwareTable.DMAR,
                List.of(intelIommuOn(line), iommuPassThrough(line, findings)), remove, findings);
    }

    /** intel_iommu takes a comma list (on,igfx_off,sm_on): keep the user's other options, make sure "on" is there. */
    private static KernelParameter intelIommuOn(KernelCommandLine line) {
        List<String> opts = line.last("intel_iommu").map(IntelVtdProbe::options).orElse(List.of());
        List<String> kept = opts.stream().filter(o -> !o.equals("on") && !o.equals("off")).toList();
        List<String> out = new ArrayList<>();
        out.add("on");
        out.addAll(kept);
        return KernelParameter.of("intel_iommu", String.join(",", out));
    }

    /** iommu=pt, unless the user chose another iommu mode deliberately (then it is kept and mentioned). */
    private static KernelParameter iommuPassThrough(KernelCommandLine line, List<Finding> findings) {
        var current = line.last("iommu");
        if (current.isPresent() && !options(current.get()).contains("off") && !options(current.get()).contains("pt")) {
            findings.add(Finding.info("IOMMU_MODE_KEPT", "kernel command line has '" + current.get()
                    + "'; it is kept (iommu=pt is the usual choice for passthrough hosts)"));
            return current.get();
        }
        return KernelParameter.of("iommu", "pt");
    }

    private static List<String> options(KernelParameter p) {
        return p.value() == null ? List.of() : Arrays.stream(p.value().split(",")).map(String::strip)
                .filter(s -> !s.isEmpty()).collect(Collectors.toList());
    }
}
