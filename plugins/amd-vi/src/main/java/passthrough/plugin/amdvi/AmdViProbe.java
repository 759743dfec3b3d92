package passthrough.plugin.amdvi;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
 * AMD-Vi: announced by the ACPI IVRS table and on by default in the kernel. Nothing turns it on; only
 * {@code amd_iommu=off} or {@code iommu=off} turn it off. {@code amd_iommu=on}, which guides often suggest, is not a
 * valid value on current kernels (6.1 logs "AMD-Vi: Unknown option - 'on'"), so it is removed, not added.
 */
@Extension
public class AmdViProbe implements HardwareProbe {

    @Override
    public String id() {
        return "amd-vi";
    }

    @Override
    public boolean recognizes(HostFacts facts) {
        CpuVendor vendor = facts.cpu().vendor();
        return vendor == CpuVendor.AMD
                || vendor == CpuVendor.UNKNOWN && facts.firmwareTable(FirmwareTable.IVRS) == Presence.PRESENT;
    }

    @Override
    public IommuRequirement requirement(HostFacts facts, KernelCommandLine line) {
        List<Finding> findings = new ArrayList<>();
        List<KernelParameter> remove = new ArrayList<>();
        for (KernelParameter p : line.parameters()) {
            List<String> opts = p.value() == null ? List.of() : Arrays.asList(p.value().split(","));
            if ((p.sameName("amd_iommu") || p.sameName("iommu")) && opts.contains("off")) {
                findings.add(Finding.error("CMDLINE_CONFLICT", "kernel command line has '" + p
                        + "', which turns AMD-Vi off", "remove '" + p + "' (`passthrough plan` removes it)"));
                remove.add(p);
            } else if (p.sameName("amd_iommu") && opts.contains("on")) {
                findings.add(Finding.warning("AMD_IOMMU_ON_INVALID", "kernel command line has '" + p + "': 'on' is not "
                        + "a valid amd_iommu value on current kernels (the kernel logs \"AMD-Vi: Unknown option - 'on'\"); "
                        + "the AMD IOMMU is on by default", "remove '" + p + "' (`passthrough plan` removes it)"));
                remove.add(p);
            }
        }
        KernelParameter mode = line.last("iommu").filter(p -> p.value() != null && !p.value().contains("off"))
                .orElse(KernelParameter.of("iommu", "pt"));
        if (!mode.equals(KernelParameter.of("iommu", "pt"))) {
            findings.add(Finding.info("IOMMU_MODE_KEPT", "kernel command line has '" + mode
                    + "'; it is kept (iommu=pt is the usual choice for passthrough hosts)"));
        }
        return new IommuRequirement("AMD-Vi", FirmwareTable.IVRS, List.of(mode), remove, findings);
    }
}
