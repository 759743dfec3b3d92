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
 * Intel VT-d: announced by the ACPI DMAR table, turned on with {@code intel_iommu=on} (unless the kernel was built
 * with CONFIG_INTEL_IOMMU_DEFAULT_ON, which cannot be seen from outside, so it is always asked for: it is harmless
 * when already on). {@code iommu=pt} keeps host devices out of DMA translation, so the host loses no speed.
 */
@Extension
public class IntelVtdProbe implements HardwareProbe {

    @Override
    public String id() {
        return "intel-vtd";
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
