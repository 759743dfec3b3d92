package passthrough.core.host;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import passthrough.api.CpuInfo;
import passthrough.api.FileOrigin;
import passthrough.core.apply.FileDigest;
import passthrough.api.FirmwareTable;
import passthrough.api.HostFacts;
import passthrough.api.IommuGroup;
import passthrough.api.KernelCommandLine;
import passthrough.api.KernelModules;
import passthrough.api.OsRelease;
import passthrough.api.PciAddress;
import passthrough.api.PciDevice;
import passthrough.api.PciId;
import passthrough.api.Presence;

/**
 * Reads a host root into one {@link HostFacts} snapshot. Nothing it meets is fatal: what cannot be read is
 * unknown and becomes a warning in {@link HostFacts#readProblems()}.
 */
public final class HostFactsReader {

    static final List<String> COMMAND_DIRS = List.of("usr/sbin", "usr/bin", "sbin", "bin");

    static final List<String> PCI_IDS = List.of("usr/share/misc/pci.ids", "usr/share/hwdata/pci.ids");

    private final HostRoot root;
    private final HostNeeds needs;
    private final ReadProblems problems = new ReadProblems();
    /** Digest and character set of each configuration file's bytes: each is read once, and plans digest what was read. */
    private final Map<String, FileOrigin> fileOrigins = new HashMap<>();

    private HostFactsReader(HostRoot root, HostNeeds needs) {
        this.root = root;
        this.needs = needs;
    }

    /** The facts the core itself needs ({@link HostNeeds#CORE}); no plugin's files. */
    public static HostFacts read(HostRoot root) {
        return read(root, HostNeeds.CORE);
    }

    /** The facts, with the configuration files and commands in {@code needs} (the core's, the plugins', the profile's). */
    public static HostFacts read(HostRoot root, HostNeeds needs) {
        return new HostFactsReader(root, needs).read();
    }

    private HostFacts read() {
        PciDeviceReader pci = new PciDeviceReader(root, problems);
        List<PciDeviceReader.RawDevice> raw = pci.readAll();
        List<IommuGroup> groups = readGroups();
        Map<PciAddress, Integer> groupOf = new HashMap<>();
        for (IommuGroup g : groups) for (PciAddress a : g.devices()) groupOf.put(a, g.id());
        // a device's own iommu_group link wins over the group listings, as before
        for (PciDeviceReader.RawDevice d : raw) if (d.iommuGroup() != null) groupOf.put(d.address(), d.iommuGroup());
        if (!groups.isEmpty()) {
            groups = placeUngroupedDevices(raw, groups, groupOf);
            for (IommuGroup g : groups) {
                for (PciAddress a : g.devices()) {
                    if (!pci.listed().contains(a)) problems.warn("GROUP_MEMBER_NOT_ON_BUS", "sys/kernel/iommu_groups/"
                            + g.id() + "/devices/" + a + ": listed in the group but missing from " + PciDeviceReader.DEVICES
                            + "; it is shown but cannot be checked or reserved", "re-capture the host with `passthrough report`");
                }
            }
        }

        String release = text("proc/sys/kernel/osrelease").map(String::strip).filter(s -> !s.isEmpty()).orElse(null);
        KernelModules modules = readModules(release);
        ModuleAliasTable aliases = release == null ? ModuleAliasTable.empty()
                : text("lib/modules/" + release + "/modules.alias").map(ModuleAliasTable::parse).orElse(ModuleAliasTable.empty());
        PciIdsDatabase names = readPciIds(raw);

        List<PciDevice> devices = new ArrayList<>();
        for (PciDeviceReader.RawDevice d : raw) {
            Integer group = groupOf.get(d.address());
            devices.add(new PciDevice(d.address(), d.id(), d.subsystem(), d.classCode(), d.revision(), d.bootVga(),
                    d.driver(), d.modalias(), group, names.vendorName(d.id().vendor()).orElse(null),
                    names.deviceName(d.id()).orElse(null), names.className(d.classCode()), aliases.modulesFor(d.modalias())));
        }
        return HostFacts.builder()
                .devices(devices)
                .groups(groups)
                .iommuUnits(readIommuUnits())
                .firmwareTables(readFirmwareTables())
                .cpu(readCpu())
                .commandLine(text("proc/cmdline").map(s -> KernelCommandLine.parse(s.strip())).orElse(KernelCommandLine.empty()))
                .kernelRelease(release)
                .modules(modules)
                .os(readOsRelease())
                .files(readConfigFiles())
                .commands(readCommands())
                .criticalDevices(readCriticalDevices())
                .readProblems(problems.findings())
                .build()
                .withFileOrigins(fileOrigins);
    }

    /**
     * A device with no IOMMU group while the IOMMU is on. Behind an Intel VMD (Volume Management Device) that is
     * normal: the kernel puts the devices behind it in a domain of its own (10000 and up), gives them no group, and
     * their DMA goes out through the VMD endpoint, so they can only ever go with that endpoint's group. Such a device
     * (its sysfs path crosses into another domain below an ancestor that has a group) joins the ancestor's group,
     * with an info finding; any other device without a group (but the IOMMU's own function) is a warning.
     */
    private List<IommuGroup> placeUngroupedDevices(List<PciDeviceReader.RawDevice> raw, List<IommuGroup> groups,
                                                   Map<PciAddress, Integer> groupOf) {
        Map<Integer, List<PciAddress>> joined = new TreeMap<>();
        Map<PciAddress, Integer> ownGroups = Map.copyOf(groupOf);
        for (PciDeviceReader.RawDevice d : raw) {
            if (groupOf.containsKey(d.address())) continue;
            String entry = PciDeviceReader.DEVICES + "/" + d.address();
            String path = root.resolve(entry).orElse(entry);
            Optional<PciAddress> owner = groupedAncestorAcrossDomains(d.address(), path, ownGroups);
            if (owner.isPresent()) {
                int id = ownGroups.get(owner.get());
                groupOf.put(d.address(), id);
                joined.computeIfAbsent(id, k -> new ArrayList<>()).add(d.address());
                problems.info("BEHIND_VMD", d.address() + " has no IOMMU group of its own: it sits in domain "
                        + String.format("%04x", d.address().domain()) + " behind " + owner.get() + " (" + path
                        + "), a Volume Management Device whose DMA it shares, so it is counted in group " + id
                        + " of " + owner.get() + " and goes wherever that group goes");
            } else if ((d.classCode().value() >> 8) == 0x0806) {
                // the IOMMU's own PCI function (AMD-Vi's 1022:xxxx, class 0806) is never in a group on a real kernel:
                // it is the translation hardware, always the host's, and is listed in facts without a group
                continue;
            } else {
                problems.warn("NO_IOMMU_GROUP", entry + " (" + path + "): no iommu_group link and no IOMMU group "
                        + "lists it, although the IOMMU is on; it is in no group and cannot be reserved or checked",
                        "re-capture the host with `passthrough report`; on a live host, look for the device in "
                                + "`dmesg | grep -i iommu`");
            }
        }
        if (joined.isEmpty()) return groups;
        List<IommuGroup> out = new ArrayList<>();
        for (IommuGroup g : groups) {
            List<PciAddress> extra = joined.get(g.id());
            if (extra == null) {
                out.add(g);
                continue;
            }
            List<PciAddress> members = new ArrayList<>(g.devices());
            for (PciAddress a : extra) if (!members.contains(a)) members.add(a);
            out.add(new IommuGroup(g.id(), members));
        }
        return out;
    }

    /**
     * The nearest PCI ancestor in the device's sysfs path that has a group, when the path changes domain between
     * the two ({@code pci0000:00/0000:00:0e.0/pci10000:e0/10000:e0:1d.0/10000:e1:00.0}: 0000:00:0e.0).
     */
    private static Optional<PciAddress> groupedAncestorAcrossDomains(PciAddress device, String path,
                                                                     Map<PciAddress, Integer> groupOf) {
        List<PciAddress> chain = new ArrayList<>();
        for (String part : path.split("/")) PciDeviceReader.sysfsAddress(part).ifPresent(chain::add);
        int self = chain.lastIndexOf(device);
        if (self < 0) return Optional.empty();
        for (int i = self - 1; i >= 0; i--) {
            PciAddress a = chain.get(i);
            if (groupOf.containsKey(a)) return a.domain() != device.domain() ? Optional.of(a) : Optional.empty();
        }
        return Optional.empty();
    }

    private static PciIdsDatabase namesFor(HostRoot root, Set<PciId> ids) {
        for (String path : PCI_IDS) {
            try {
                Optional<String> t = root.readText(path);
                if (t.isPresent()) return PciIdsDatabase.parse(t.get(), ids);
            } catch (UnreadableFileException e) {
                // names are a convenience: fall back to class names
            }
        }
        return PciIdsDatabase.empty();
    }

    private PciIdsDatabase readPciIds(List<PciDeviceReader.RawDevice> raw) {
        Set<PciId> ids = new HashSet<>();
        for (PciDeviceReader.RawDevice d : raw) ids.add(d.id());
        return namesFor(root, ids);
    }

    private List<IommuGroup> readGroups() {
        String base = "sys/kernel/iommu_groups";
        List<IommuGroup> groups = new ArrayList<>();
        try {
            for (String name : root.list(base)) {
                OptionalInt id = SysfsValues.decimal(name);
                if (id.isEmpty()) {
                    problems.warn("BAD_GROUP_ENTRY", base + "/" + name + ": not a group number; ignored",
                            "remove it from the captured root, or re-capture with `passthrough report`");
                    continue;
                }
                List<PciAddress> members = new ArrayList<>();
                try {
                    for (String dev : root.list(base + "/" + name + "/devices")) {
                        if (PciAddress.isValid(dev)) members.add(PciAddress.parse(dev));
                        else problems.warn("BAD_GROUP_MEMBER", base + "/" + name + "/devices/" + dev
                                + ": not a PCI address; ignored", "re-capture the host with `passthrough report`");
                    }
                } catch (UnreadableFileException e) {
                    // one unreadable group must not hide the others
                    problems.unreadable(e);
                }
                groups.add(new IommuGroup(id.getAsInt(), members));
            }
        } catch (UnreadableFileException e) {
            problems.unreadable(e);
        }
        return groups;
    }

    private List<String> readIommuUnits() {
        try {
            return root.list("sys/class/iommu");
        } catch (UnreadableFileException e) {
            problems.unreadable(e);
            return List.of();
        }
    }

    private Map<FirmwareTable, Presence> readFirmwareTables() {
        Map<FirmwareTable, Presence> out = new EnumMap<>(FirmwareTable.class);
        String dir = "sys/firmware/acpi/tables";
        boolean known = root.isDirectory(dir);
        for (FirmwareTable t : FirmwareTable.values()) {
            // the tables are root-only files; their presence is what matters, and that needs no read permission
            out.put(t, !known ? Presence.UNKNOWN : root.exists(dir + "/" + t.name()) ? Presence.PRESENT : Presence.ABSENT);
        }
        return out;
    }

    private CpuInfo readCpu() {
        return text("proc/cpuinfo").map(CpuInfoParser::parse).orElse(CpuInfo.unknown());
    }

    private KernelModules readModules(String release) {
        Set<String> loaded = text("proc/modules").map(ModuleLists::namesFromProcModules).orElse(Set.of());
        if (release == null) {
            problems.warn("KERNEL_RELEASE_UNKNOWN", "proc/sys/kernel/osrelease: missing; kernel modules cannot be looked up",
                    "on a captured root, re-capture with `passthrough report`");
            return new KernelModules(Set.of(), Set.of(), loaded, false);
        }
        String dir = "lib/modules/" + release;
        Optional<String> builtin = text(dir + "/modules.builtin");
        Optional<String> dep = text(dir + "/modules.dep");
        if (builtin.isEmpty() && dep.isEmpty()) {
            problems.warn("KERNEL_MODULES_UNKNOWN", dir + ": no modules.builtin or modules.dep; cannot tell which "
                    + "drivers are built in", "install the kernel's modules package, or run depmod " + release);
            return new KernelModules(Set.of(), Set.of(), loaded, false);
        }
        return new KernelModules(builtin.map(ModuleLists::namesFromPaths).orElse(Set.of()),
                dep.map(ModuleLists::namesFromPaths).orElse(Set.of()), loaded, true);
    }

    private OsRelease readOsRelease() {
        Optional<String> t = text("etc/os-release");
        if (t.isEmpty()) t = text("usr/lib/os-release");
        return t.map(OsReleaseParser::parse).orElse(OsRelease.unknown());
    }

    /**
     * The host's os-release alone, before the facts: the profile is chosen by it, and the profile says what else to
     * read. A problem reading it shows again, as a warning, when the facts are read.
     */
    public static OsRelease osRelease(HostRoot root) {
        return new HostFactsReader(root, HostNeeds.CORE).readOsRelease();
    }

    private Map<PciAddress, String> readCriticalDevices() {
        try {
            return new CriticalDeviceReader(root, problems).read();
        } catch (UnreadableFileException e) {
            problems.unreadable(e);
            return Map.of();
        }
    }

    private Set<String> readCommands() {
        Set<String> found = new java.util.TreeSet<>();
        for (String name : needs.commands()) {
            for (String dir : COMMAND_DIRS) {
                if (root.exists(dir + "/" + name)) {
                    found.add(name);
                    break;
                }
            }
        }
        return found;
    }

    private Map<String, String> readConfigFiles() {
        Map<String, String> out = new TreeMap<>();
        for (String pattern : needs.files()) {
            int star = pattern.indexOf('*');
            if (star < 0) {
                configFile(pattern).ifPresent(t -> out.put(pattern, t));
                continue;
            }
            // HostNeeds allows one star, in the last name: "boot/config-*" is prefix "config-" and suffix "". Both
            // must match: a suffix alone read every file of boot/ (kernels, initramfs images) and tripped on boot/grub.
            int slash = pattern.lastIndexOf('/');
            String dir = slash < 0 ? "" : pattern.substring(0, slash);
            String prefix = pattern.substring(slash + 1, star);
            String suffix = pattern.substring(star + 1);
            try {
                for (String name : root.list(dir)) {
                    if (name.length() >= prefix.length() + suffix.length() && name.startsWith(prefix) && name.endsWith(suffix)) {
                        String rel = dir.isEmpty() ? name : dir + "/" + name;
                        configFile(rel).ifPresent(t -> out.put(rel, t));
                    }
                }
            } catch (UnreadableFileException e) {
                problems.unreadable(e);
            }
        }
        return new LinkedHashMap<>(out);
    }

    /** A configuration file's text, decoded so it encodes back to the same bytes; its origin is recorded. */
    private Optional<String> configFile(String rel) {
        try {
            Optional<byte[]> bytes = root.readBytes(rel);
            if (bytes.isEmpty()) return Optional.empty();
            LosslessText.Decoded d = LosslessText.decode(bytes.get());
            fileOrigins.put(rel, new FileOrigin(FileDigest.of(bytes.get()), d.charset()));
            return Optional.of(d.text());
        } catch (UnreadableFileException e) {
            problems.unreadable(e);
            return Optional.empty();
        }
    }

    private Optional<String> text(String rel) {
        try {
            return root.readText(rel);
        } catch (UnreadableFileException e) {
            problems.unreadable(e);
            return Optional.empty();
        }
    }
}
