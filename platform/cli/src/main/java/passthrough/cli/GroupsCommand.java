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
import passthrough.core.host.UsbController;
import passthrough.core.host.UsbDevice;
import passthrough.core.host.UsbDisk;
import passthrough.core.host.UsbTopology;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** `passthrough groups`: every IOMMU group and its devices. */
@Command(name = "groups", exitCodeListHeading = "%nExit status:%n", exitCodeList = {" 0:listed", " 1:the IOMMU is off (devices listed without groups)", " 2:usage error"},
        mixinStandardHelpOptions = true,
        description = {"List IOMMU groups with their devices: address, [vendor:device], class, name, driver; the boot "
                + "GPU and bridges (which stay with the host) are marked. With --usb: the USB controllers, whether each "
                + "can go to a VM, and the keyboards, mice and disks hanging off each now.",
            "Exit 1 when the IOMMU is off (the PCI devices are listed without groups)."})
final class GroupsCommand extends Subcommand implements Callable<Integer> {
    @Option(names = "--gpu", description = "Only groups holding a display controller (VGA, 3D, other display).")
    boolean gpuOnly;

    @Option(names = "--device", paramLabel = "ADDR",
            description = "Only the group of this device (65:00.0 or 0000:65:00.0).")
    String device;

    @Option(names = "--usb", description = "The USB controllers (PCI class 0c03): whether each is alone in its IOMMU "
            + "group (so it can be given to a VM), and what hangs off it now: keyboards, mice, disks.")
    boolean usb;

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
            UsbTopology topology = usb ? UsbTopology.read(session.root, facts) : null;
            List<IommuGroup> groups = new ArrayList<>();
            for (IommuGroup g : facts.groups()) {
                if (gpuOnly && facts.devicesOf(g).stream().noneMatch(d -> d.classCode().isDisplay())) continue;
                if (usb && facts.devicesOf(g).stream().noneMatch(UsbTopology::isUsbController)) continue;
                if (only != null && !g.devices().contains(only)) continue;
                groups.add(g);
            }
            if (global.json) {
                List<GroupsJson.GroupJson> gj = groups.stream().map(g -> new GroupsJson.GroupJson(g.id(),
                        facts.devicesOf(g).stream().anyMatch(d -> d.classCode().isDisplay()),
                        facts.devicesOf(g).stream().map(DeviceJson::of).toList())).toList();
                List<DeviceJson> ungrouped = facts.iommuActive() ? List.of()
                        : facts.devices().stream().filter(d -> shown(d)).map(DeviceJson::of).toList();
                printJson(new GroupsJson(facts.iommuActive(), gj, ungrouped, topology == null ? null : usbJson(topology)));
            } else if (topology != null) {
                printUsb(out, facts, topology);
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
        return (!gpuOnly || d.classCode().isDisplay()) && (!usb || UsbTopology.isUsbController(d))
                && (only == null || d.address().equals(only));
    }

    private List<UsbController> usbShown(UsbTopology topology) {
        return topology.controllers().stream().filter(c -> only == null || c.address().equals(only)).toList();
    }

    /** The controller holds every keyboard the host has. */
    private static boolean onlyKeyboard(UsbTopology topology, UsbController c) {
        return !c.keyboards().isEmpty() && topology.keyboardsKeptWithout(List.of(c.address())).isEmpty();
    }

    /** `groups --usb`: each controller, whether it can go to a VM, and what hangs off it — "your keyboard is on this one". */
    private void printUsb(PrintWriter out, HostFacts facts, UsbTopology topology) {
        List<UsbController> shown = usbShown(topology);
        if (shown.isEmpty()) out.println(only != null ? only + " is no USB controller." : "No USB controllers (PCI class 0c03).");
        for (UsbController c : shown) {
            out.println(line(facts.device(c.address()).orElseThrow()));
            if (!facts.iommuActive()) {
                out.println("    no IOMMU groups (the IOMMU is off): `passthrough check` says how to turn it on");
            } else if (c.iommuGroup() == null) {
                out.println("    in no IOMMU group: it cannot be given to a VM");
            } else if (c.alone() && (c.holdsRootDisk() || c.critical() != null)) {
                out.println("    IOMMU group " + c.iommuGroup() + ", alone in it (bridges aside), but the host needs it (below)");
            } else if (c.alone()) {
                out.println("    IOMMU group " + c.iommuGroup() + ", alone in it (bridges aside): can be given to a VM "
                        + "(passthrough plan --device " + c.address().toShortString() + ")");
            } else {
                out.println("    IOMMU group " + c.iommuGroup() + ", shared with " + String.join("; ", c.groupMates())
                        + ": goes to a VM only with them");
            }
            if (c.holdsRootDisk()) {
                out.println("    HOLDS THE ROOT FILESYSTEM'S DISK" + (c.critical() == null ? "" : " (it " + c.critical() + ")")
                        + ": never given to a VM");
            } else if (c.critical() != null) {
                out.println("    the host cannot lose it: it " + c.critical());
            }
            if (onlyKeyboard(topology, c)) {
                out.println("    YOUR ONLY KEYBOARD IS ON THIS ONE: " + c.keyboards().stream().map(UsbDevice::displayName)
                        .collect(java.util.stream.Collectors.joining("; ")));
            } else if (!c.keyboards().isEmpty()) {
                out.println("    your keyboard is on this one: " + c.keyboards().stream().map(UsbDevice::displayName)
                        .collect(java.util.stream.Collectors.joining("; ")));
            }
            if (c.devices().isEmpty()) out.println("    nothing plugged in");
            for (UsbDevice d : c.devices()) {
                List<String> kinds = new ArrayList<>();
                if (d.hub()) kinds.add("hub");
                if (d.keyboard()) kinds.add("keyboard");
                if (d.mouse()) kinds.add("mouse");
                for (UsbDisk k : d.disks()) {
                    kinds.add("disk " + k.name() + (k.partitions().isEmpty() ? "" : " (" + String.join(", ", k.partitions())
                            + ")") + (k.rootFilesystem() ? ", holds /" : ""));
                }
                out.printf("    %-8s %s%s%n", d.port(), d.displayName(), kinds.isEmpty() ? "" : "  [" + String.join("; ", kinds) + "]");
            }
        }
        for (String k : topology.otherKeyboards()) out.println("Keyboard not on USB (stays with the host): " + k);
        for (passthrough.api.Finding f : topology.problems()) {
            out.println("[" + f.severity().jsonName().toUpperCase(java.util.Locale.ROOT) + "] " + f.message());
            if (!f.fix().isEmpty()) out.println("        " + f.fix());
        }
        out.flush();
    }

    private GroupsJson.UsbJson usbJson(UsbTopology topology) {
        return new GroupsJson.UsbJson(usbShown(topology).stream().map(c -> new GroupsJson.ControllerJson(c.address().toString(),
                c.name(), c.driver(), c.iommuGroup(), c.alone(), c.groupMates(), c.holdsRootDisk(), c.critical(),
                onlyKeyboard(topology, c), c.devices().stream().map(d -> new GroupsJson.UsbDeviceJson(d.port(), d.vendor(),
                d.product(), d.manufacturer(), d.productName(), d.hub(), d.keyboard(), d.mouse(),
                d.inputs().stream().map(i -> new GroupsJson.InputJson(i.input(), i.name(),
                        i.kind().name().toLowerCase(java.util.Locale.ROOT))).toList(),
                d.disks().stream().map(k -> new GroupsJson.DiskJson(k.name(), k.partitions(), k.rootFilesystem())).toList()))
                .toList())).toList(), topology.otherKeyboards(),
                topology.problems().stream().map(f -> new passthrough.cli.json.CheckJson.FindingJson(f.severity().jsonName(),
                        f.code(), f.message(), f.fix())).toList());
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
