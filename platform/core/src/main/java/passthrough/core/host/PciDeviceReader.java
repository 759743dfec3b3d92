package passthrough.core.host;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import passthrough.api.PciAddress;
import passthrough.api.PciClassCode;
import passthrough.api.PciId;

/**
 * Reads sys/bus/pci/devices/&lt;address&gt;/ into raw device records. A device whose identity (vendor, device,
 * class) cannot be read is skipped with a warning naming the file; optional attributes just stay unknown.
 */
final class PciDeviceReader {
    static final String DEVICES = "sys/bus/pci/devices";

    /** What sysfs says about one function, before names and module matches are added. */
    record RawDevice(PciAddress address, PciId id, PciId subsystem, PciClassCode classCode, int revision,
                     boolean bootVga, String driver, String modalias, Integer iommuGroup) {
    }

    private final HostRoot root;
    private final ReadProblems problems;
    private final Set<PciAddress> listed = new HashSet<>();

    PciDeviceReader(HostRoot root, ReadProblems problems) {
        this.root = root;
        this.problems = problems;
    }

    List<RawDevice> readAll() {
        List<RawDevice> out = new ArrayList<>();
        for (String name : root.list(DEVICES)) {
            if (!PciAddress.isValid(name)) {
                problems.warn("BAD_DEVICE_ENTRY", DEVICES + "/" + name + ": not a PCI address; entry ignored",
                        "remove it from the captured root, or re-capture with `passthrough report`");
                continue;
            }
            PciAddress address = PciAddress.parse(name);
            listed.add(address);
            read(address, DEVICES + "/" + name).ifPresent(out::add);
        }
        return out;
    }

    /** Every address with an entry in sys/bus/pci/devices, skipped devices included (after {@link #readAll}). */
    Set<PciAddress> listed() {
        return Set.copyOf(listed);
    }

    private Optional<RawDevice> read(PciAddress address, String dir) {
        if (!root.exists(dir)) {
            String target = root.readLink(dir).orElse("?");
            problems.warn("DANGLING_DEVICE_LINK", dir + " -> " + target + ": the link points nowhere; device skipped",
                    "re-capture the host with `passthrough report`, or restore the device directory");
            return Optional.empty();
        }
        try {
            OptionalInt vendor = hex(dir, "vendor", 4, true);
            OptionalInt device = hex(dir, "device", 4, true);
            OptionalInt cls = hex(dir, "class", 6, true);
            if (vendor.isEmpty() || device.isEmpty() || cls.isEmpty()) return Optional.empty();
            OptionalInt subVendor = hex(dir, "subsystem_vendor", 4, false);
            OptionalInt subDevice = hex(dir, "subsystem_device", 4, false);
            PciId subsystem = subVendor.isPresent() && subDevice.isPresent()
                    ? new PciId(subVendor.getAsInt(), subDevice.getAsInt()) : null;
            int revision = hex(dir, "revision", 2, false).orElse(-1);
            boolean bootVga = root.readText(dir + "/boot_vga").map(SysfsValues::decimal)
                    .map(v -> v.orElse(0) == 1).orElse(false);
            String driver = root.readLink(dir + "/driver").map(PciDeviceReader::lastComponent).orElse(null);
            String modalias = root.readText(dir + "/modalias").map(String::strip).filter(s -> !s.isEmpty()).orElse(null);
            Integer group = null;
            Optional<String> groupLink = root.readLink(dir + "/iommu_group");
            if (groupLink.isPresent()) {
                OptionalInt id = SysfsValues.decimal(lastComponent(groupLink.get()));
                if (id.isPresent()) group = id.getAsInt();
                else problems.warn("BAD_IOMMU_GROUP_LINK", dir + "/iommu_group -> " + groupLink.get()
                        + ": does not name a group number; the device's group is taken from sys/kernel/iommu_groups",
                        "re-capture the host with `passthrough report`");
            }
            return Optional.of(new RawDevice(address, new PciId(vendor.getAsInt(), device.getAsInt()), subsystem,
                    new PciClassCode(cls.getAsInt()), revision, bootVga, driver, modalias, group));
        } catch (UnreadableFileException e) {
            problems.unreadable(e);
            problems.warn("DEVICE_SKIPPED", dir + ": device skipped because a file could not be read", "");
            return Optional.empty();
        }
    }

    private OptionalInt hex(String dir, String attribute, int digits, boolean required) {
        String path = dir + "/" + attribute;
        Optional<String> text = root.readText(path);
        if (text.isEmpty() || text.get().isBlank()) {
            if (required) {
                problems.warn("MISSING_ATTRIBUTE", path + ": " + (text.isEmpty() ? "missing" : "empty")
                        + "; device skipped", "re-capture the host with `passthrough report`, or restore the file");
            }
            return OptionalInt.empty();
        }
        OptionalInt v = SysfsValues.hex(text.get(), digits);
        if (v.isEmpty()) {
            problems.warn("BAD_ATTRIBUTE", path + ": '" + abbreviate(text.get().strip()) + "' is not a "
                    + digits + "-digit hex value" + (required ? "; device skipped" : "; ignored"),
                    "re-capture the host with `passthrough report`, or fix the file");
        }
        return v;
    }

    private static String abbreviate(String s) {
        String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
        return clean.length() > 20 ? clean.substring(0, 20) + "..." : clean;
    }

    /** A path component that is a PCI function in the full sysfs form (0000:00:0e.0, 10000:e1:00.0). */
    static Optional<PciAddress> sysfsAddress(String component) {
        if (component.indexOf(':') == component.lastIndexOf(':') || !PciAddress.isValid(component)) return Optional.empty();
        return Optional.of(PciAddress.parse(component));
    }

    static String lastComponent(String linkTarget) {
        String s = linkTarget;
        while (s.endsWith("/")) s = s.substring(0, s.length() - 1);
        return s.substring(s.lastIndexOf('/') + 1);
    }
}
