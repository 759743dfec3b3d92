package passthrough.core.host;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import passthrough.api.PciAddress;

/**
 * Finds the PCI devices the host cannot lose: the controller under the block device mounted on / (through
 * device-mapper and md layers, via their slaves/) and the network device carrying the default route. Both are
 * found by following sysfs links to the device's path, whose PCI components are the controller and its bridges.
 */
final class CriticalDeviceReader {
    private final HostRoot root;
    private final ReadProblems problems;

    CriticalDeviceReader(HostRoot root, ReadProblems problems) {
        this.root = root;
        this.problems = problems;
    }

    Map<PciAddress, String> read() {
        Map<PciAddress, String> out = new LinkedHashMap<>();
        rootFilesystemSource().ifPresent(source -> {
            for (String block : rootBlockDevices(source)) {
                pciFunctionOf("sys/class/block/" + block, "the disk of the root filesystem (" + source + ")").ifPresent(a -> out.putIfAbsent(a,
                        "controls the disk of the root filesystem (" + source + " on /, via " + block + ")"));
            }
        });
        defaultRouteInterface().ifPresent(iface -> pciFunctionOf("sys/class/net/" + iface,
                "the default route's network device (" + iface + ")").ifPresent(a ->
                out.putIfAbsent(a, "carries the default network route (" + iface + ")")));
        return out;
    }

    /**
     * The block devices that hold the root filesystem mounted from {@code source} (a /dev node): its own, and for
     * device-mapper and md the devices below it. Names as in sys/class/block (sda2, dm-0, nvme0n1p2).
     */
    List<String> rootBlockDevices(String source) {
        return blockDevicesUnder(resolveBlockName(source.substring("/dev/".length())), 0);
    }

    /** The source of the last mount on / in proc/mounts, when it is a /dev node. */
    Optional<String> rootFilesystemSource() {
        String source = null;
        for (String line : root.readText("proc/mounts").orElse("").split("\n")) {
            String[] f = line.split(" ");
            if (f.length >= 2 && f[1].equals("/") && f[0].startsWith("/dev/")) source = f[0];
        }
        return Optional.ofNullable(source);
    }

    /** /dev/mapper/vg-root is a link to ../dm-0; /dev/root and others are resolved through sys/class/block. */
    private String resolveBlockName(String dev) {
        if (dev.startsWith("mapper/")) {
            String target = root.readLink("dev/" + dev).orElse(null);
            if (target != null) return PciDeviceReader.lastComponent(target);
            // no /dev in a captured root: find the dm device by its name
            for (String b : root.list("sys/class/block")) {
                if (root.readText("sys/class/block/" + b + "/dm/name").map(String::strip)
                        .filter(n -> n.equals(dev.substring("mapper/".length()))).isPresent()) return b;
            }
        }
        return dev.contains("/") ? dev.substring(dev.lastIndexOf('/') + 1) : dev;
    }

    /** The block device and, for device-mapper/md, the devices below it (slaves), recursively. */
    private List<String> blockDevicesUnder(String block, int depth) {
        List<String> out = new ArrayList<>();
        out.add(block);
        if (depth > 8) return out;
        for (String slave : root.list("sys/class/block/" + block + "/slaves")) out.addAll(blockDevicesUnder(slave, depth + 1));
        return out;
    }

    /** The default route's interface from proc/net/route (destination 00000000, mask 00000000). */
    private Optional<String> defaultRouteInterface() {
        for (String line : root.readText("proc/net/route").orElse("").split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 8 && f[1].equals("00000000") && f[7].equals("00000000")) return Optional.of(f[0]);
        }
        return Optional.empty();
    }

    /**
     * The last PCI address in the sysfs path of a block or net device (its controller), if it sits on PCI; any
     * domain, so an NVMe behind Intel VMD ({@code .../pci10000:e0/10000:e0:1d.0/10000:e1:00.0/nvme/...}) is found.
     */
    private Optional<PciAddress> pciFunctionOf(String classEntry, String what) {
        Optional<String> real = root.resolve(classEntry);
        if (real.isEmpty()) {
            problems.warn("CRITICAL_DEVICE_UNKNOWN", classEntry + ": missing or a link to nowhere, so the PCI device of "
                    + what + " is unknown and plans cannot protect it", "re-capture the host with `passthrough report` "
                    + "(on a live host, check that sysfs is mounted on /sys)");
            return Optional.empty();
        }
        // what the link leads to was read too: a host report must keep that directory, or its link dangles there
        root.exists(classEntry);
        PciAddress last = null;
        for (String part : real.get().split("/")) {
            Optional<PciAddress> a = PciDeviceReader.sysfsAddress(part);
            if (a.isPresent()) last = a.get();
        }
        return Optional.ofNullable(last);
    }
}
