package passthrough.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import passthrough.api.HostFacts;
import passthrough.api.IommuGroup;
import passthrough.api.PciAddress;
import passthrough.api.PciDevice;
import passthrough.cli.json.DeviceJson;
import passthrough.cli.json.GroupsJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `passthrough groups`: every IOMMU group and its devices. */
@Command(name = "groups", mixinStandardHelpOptions = true,
        description = {"List IOMMU groups with their devices: address, [vendor:device], class, name, driver; the boot "
                + "GPU and bridges (which stay with the host) are marked.",
            "Exit 1 when the IOMMU is off (the PCI devices are listed without groups)."})
final class GroupsCommand extends Subcommand implements Callable<Integer> {
    @Option(names = "--gpu", description = "Only groups holding a display controller (VGA, 3D, other display).")
    boolean gpuOnly;

    @Option(names = "--device", paramLabel = "ADDR",
            description = "Only the group of this device (65:00.0 or 0000:65:00.0).")
    String device;

    private PciAddress only;

    @Override
    public Integer call() {
        try (HostSession session = HostSession.open(global, false)) {
            HostFacts facts = session.facts;
            PrintWriter out = out();
            only = device == null ? null : PciAddress.parse(device);
            if (only != null && facts.device(only).isEmpty()) {
                throw new UserError(ExitCodes.USAGE, "no PCI device " + only + " on this host (sys/bus/pci/devices/"
                        + only + " does not exist); `passthrough groups` lists the devices");
            }
            List<IommuGroup> groups = new ArrayList<>();
            for (IommuGroup g : facts.groups()) {
                if (gpuOnly && facts.devicesOf(g).stream().noneMatch(d -> d.classCode().isDisplay())) continue;
                if (only != null && !g.devices().contains(only)) continue;
                groups.add(g);
            }
            if (global.json) {
                List<GroupsJson.GroupJson> gj = groups.stream().map(g -> new GroupsJson.GroupJson(g.id(),
                        facts.devicesOf(g).stream().anyMatch(d -> d.classCode().isDisplay()),
                        facts.devicesOf(g).stream().map(DeviceJson::of).toList())).toList();
                List<DeviceJson> ungrouped = facts.iommuActive() ? List.of()
                        : facts.devices().stream().filter(d -> shown(d)).map(DeviceJson::of).toList();
                printJson(new GroupsJson(facts.iommuActive(), gj, ungrouped));
            } else {
                print(out, facts, groups);
            }
            return facts.iommuActive() ? ExitCodes.OK : ExitCodes.NOT_READY;
        }
    }

    private void print(PrintWriter out, HostFacts facts, List<IommuGroup> groups) {
        if (!facts.iommuActive()) {
            out.println("The IOMMU is not active: sys/kernel/iommu_groups is empty, so there are no groups.");
            out.println("Run `passthrough check` to see why and which kernel parameters turn it on.");
            out.println();
            out.println("PCI devices (no IOMMU groups):");
            for (PciDevice d : facts.devices()) {
                if (shown(d)) out.println("  " + line(d));
            }
            out.flush();
            return;
        }
        if (groups.isEmpty()) {
            out.println(only != null ? only + " is in no IOMMU group." : gpuOnly ? "No IOMMU group holds a display controller."
                    : "No IOMMU groups.");
        }
        for (IommuGroup g : groups) {
            out.println("IOMMU group " + g.id());
            for (PciDevice d : facts.devicesOf(g)) out.println("  " + line(d));
            for (var a : g.devices()) {
                if (facts.device(a).isEmpty()) out.println("  " + a.toShortString() + " (listed in the group, not on the PCI bus)");
            }
        }
        out.flush();
    }

    private boolean shown(PciDevice d) {
        return (!gpuOnly || d.classCode().isDisplay()) && (only == null || d.address().equals(only));
    }

    /** One line in the style of `lspci -nnk`, plus what matters for passthrough. */
    static String line(PciDevice d) {
        StringBuilder sb = new StringBuilder();
        sb.append(d.address().toShortString()).append(' ')
                .append(String.format("%s [%04x]: ", d.className(), d.classCode().value() >> 8))
                .append(d.displayName()).append(" [").append(d.id()).append(']');
        if (d.revision() >= 0) sb.append(String.format(" (rev %02x)", d.revision()));
        sb.append("  driver: ").append(d.driver() == null ? "none" : d.driver());
        if (d.bootVga()) sb.append("  [boot VGA: the host's console GPU]");
        if (d.classCode().isPciBridge()) sb.append("  [bridge: stays with the host]");
        return sb.toString();
    }
}
