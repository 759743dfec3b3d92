package passthrough.core.check;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import passthrough.core.plugins.Probes;
import passthrough.api.CpuVendor;
import passthrough.api.Finding;
import passthrough.api.FirmwareTable;
import passthrough.api.HardwareProbe;
import passthrough.api.HostFacts;
import passthrough.api.IommuRequirement;
import passthrough.api.KernelModules.ModuleState;
import passthrough.api.KernelParameter;
import passthrough.api.Presence;
import passthrough.api.Severity;

/**
 * Judges a host's readiness for passthrough: CPU virtualization, IOMMU firmware table, IOMMU active,
 * command-line conflicts, the stub drivers, and the distribution. Every finding carries its fix.
 */
public final class ReadinessCheck {
    private ReadinessCheck() {
    }

    public static ReadinessReport run(HostFacts facts, List<HardwareProbe> probes) {
        return run(facts, probes, List.of());
    }

    /** With the findings of the distribution profile (which one, missing packages, host quirks). */
    public static ReadinessReport run(HostFacts facts, List<HardwareProbe> probes, List<Finding> profileFindings) {
        List<Finding> findings = new ArrayList<>(profileFindings);
        HardwareProbe probe = Probes.forHost(probes, facts).orElse(null);
        IommuRequirement req = probe == null ? null : probe.requirement(facts);

        cpu(facts, findings);
        firmware(facts, req, findings);
        iommu(facts, req, findings);
        if (req != null) findings.addAll(req.findings());
        ModuleState vfio = facts.modules().stateOf("vfio_pci");
        ModuleState stub = facts.modules().stateOf("pci_stub");
        drivers(facts, vfio, stub, findings);
        findings.add(Finding.info("DISTRIBUTION", "distribution: " + facts.os().prettyName()
                + (facts.kernelRelease() == null ? "" : ", kernel " + facts.kernelRelease())));
        findings.addAll(facts.readProblems());
        return new ReadinessReport(facts, probe == null ? null : probe.id(), req, vfio, stub, findings);
    }

    private static void cpu(HostFacts facts, List<Finding> out) {
        var cpu = facts.cpu();
        if (!cpu.known()) {
            out.add(Finding.warning("CPU_UNKNOWN", "proc/cpuinfo: missing or unreadable; CPU vendor and "
                    + "virtualization support are unknown", "run on the host itself, or re-capture with `passthrough report`"));
            return;
        }
        String model = cpu.modelName() == null ? cpu.vendor().jsonName() : cpu.modelName();
        if (cpu.vendor() == CpuVendor.UNKNOWN) {
            out.add(Finding.warning("CPU_VENDOR_UNKNOWN", "CPU " + model + " is neither Intel nor AMD; "
                    + "no IOMMU probe knows it", "install a HardwareProbe plugin for this platform"));
        }
        if (!cpu.virtualization()) {
            String tech = cpu.vendor() == CpuVendor.AMD ? "AMD-V (SVM)" : "Intel VT-x";
            out.add(Finding.error("CPU_VIRTUALIZATION_OFF", "CPU " + model + " does not show the '"
                    + cpu.virtualizationFlag() + "' flag in /proc/cpuinfo: hardware virtualization is off or missing",
                    "enable " + tech + " in the firmware (BIOS/UEFI) setup and reboot"));
        } else {
            out.add(Finding.info("CPU_VIRTUALIZATION", "CPU " + model + " has hardware virtualization ("
                    + cpu.virtualizationFlag() + ")"));
        }
    }

    private static void firmware(HostFacts facts, IommuRequirement req, List<Finding> out) {
        if (req == null) {
            boolean any = facts.firmwareTable(FirmwareTable.DMAR) == Presence.PRESENT
                    || facts.firmwareTable(FirmwareTable.IVRS) == Presence.PRESENT;
            if (!any && !facts.iommuActive()) {
                out.add(Finding.warning("IOMMU_FIRMWARE_UNKNOWN", "no IOMMU probe recognised this platform and no "
                        + "DMAR or IVRS table was found", "install a HardwareProbe plugin for this platform"));
            }
            return;
        }
        FirmwareTable table = req.firmwareTable();
        switch (facts.firmwareTable(table)) {
            case PRESENT -> out.add(Finding.info("IOMMU_FIRMWARE", "firmware announces " + req.technology()
                    + " (ACPI " + table + " table)"));
            case ABSENT -> {
                if (facts.iommuActive()) {
                    out.add(Finding.warning("IOMMU_FIRMWARE_TABLE_MISSING", "sys/firmware/acpi/tables/" + table
                            + " is absent, yet IOMMU groups exist", "nothing to do if passthrough works; else check the firmware setup"));
                } else {
                    out.add(Finding.error("IOMMU_FIRMWARE_ABSENT", "sys/firmware/acpi/tables/" + table + " is absent: "
                            + "the firmware does not announce " + req.technology(),
                            "enable " + req.technology() + " (often called VT-d, IOMMU or AMD-Vi) in the firmware "
                                    + "setup; if there is no such option, this board cannot do passthrough"));
                }
            }
            case UNKNOWN -> out.add(Finding.info("IOMMU_FIRMWARE_UNKNOWN", "sys/firmware/acpi/tables cannot be read, "
                    + "so whether the firmware announces " + req.technology() + " is unknown"));
        }
    }

    private static void iommu(HostFacts facts, IommuRequirement req, List<Finding> out) {
        if (facts.iommuActive()) {
            out.add(Finding.info("IOMMU_ACTIVE", "IOMMU active: " + facts.groups().size() + " groups"
                    + (facts.iommuUnits().isEmpty() ? "" : " (" + String.join(", ", facts.iommuUnits()) + ")")));
        } else {
            String fix = req == null
                    ? "turn the IOMMU on in the firmware and on the kernel command line"
                    : "put " + describe(req) + " on the kernel command line and reboot (`passthrough plan` does it for you)";
            out.add(Finding.error("IOMMU_INACTIVE", "IOMMU not active: sys/kernel/iommu_groups is empty", fix));
        }
        if (req != null) {
            if (facts.iommuActive() && !req.isMetBy(facts.commandLine())) {
                out.add(Finding.info("CMDLINE_SUGGESTION", "the kernel command line lacks " + req.parametersToSet().stream()
                        .filter(p -> !facts.commandLine().has(p)).map(KernelParameter::toString)
                        .collect(Collectors.joining(" ")) + " (recommended for passthrough; `passthrough plan` adds it)"));
            }
        } else {
            for (String name : List.of("iommu", "intel_iommu", "amd_iommu")) {
                facts.commandLine().last(name).filter(p -> "off".equals(p.value())).ifPresent(p -> out.add(
                        Finding.error("CMDLINE_CONFLICT", "kernel command line has '" + p + "', which turns the IOMMU off",
                                "remove '" + p + "' from the kernel command line")));
            }
        }
    }

    private static String describe(IommuRequirement req) {
        List<String> parts = new ArrayList<>();
        req.parametersToSet().forEach(p -> parts.add(p.toString()));
        String set = String.join(" ", parts);
        if (req.parametersToRemove().isEmpty()) return set;
        return set + " (and remove " + req.parametersToRemove().stream().map(KernelParameter::toString)
                .collect(Collectors.joining(", ")) + ")";
    }

    private static void drivers(HostFacts facts, ModuleState vfio, ModuleState stub, List<Finding> out) {
        if (vfio == ModuleState.UNKNOWN) return; // already reported as a read problem
        out.add(Finding.info("VFIO_PCI", "vfio-pci is " + describe(vfio)));
        out.add(Finding.info("PCI_STUB", "pci-stub is " + describe(stub)));
        if (vfio == ModuleState.MISSING && stub == ModuleState.MISSING) {
            out.add(Finding.error("NO_STUB_DRIVER", "lib/modules/" + facts.kernelRelease() + ": neither vfio-pci nor "
                    + "pci-stub exists in this kernel, so no device can be reserved", "build the kernel with "
                    + "CONFIG_VFIO_PCI (built in, =y, is simplest) or install the distribution's full kernel"));
        } else if (vfio == ModuleState.MISSING) {
            out.add(Finding.warning("NO_VFIO_PCI", "vfio-pci is not in this kernel: devices can be reserved with "
                    + "pci-stub, but a VM needs vfio-pci to use them", "build the kernel with CONFIG_VFIO_PCI"));
        }
    }

    private static String describe(ModuleState s) {
        return switch (s) {
            case BUILTIN -> "built into the kernel (ids can be given on the command line)";
            case MODULE -> "a loadable module (it must be loaded early, before the native drivers)";
            case MISSING -> "not available in this kernel";
            case UNKNOWN -> "unknown";
        };
    }

    /** For JSON: severity counts are handy in scripts. */
    public static long count(ReadinessReport r, Severity s) {
        return r.findings().stream().filter(f -> f.severity() == s).count();
    }
}
