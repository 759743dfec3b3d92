package passthrough.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One immutable snapshot of everything the tool knows about a host. Plugins get only this: they never
 * read files themselves, so a plugin is a pure function of facts and can be tested without root.
 *
 * @param devices          every PCI function, sorted by address
 * @param groups           IOMMU groups, sorted by id; empty when the IOMMU is off
 * @param iommuUnits       entries of /sys/class/iommu (dmar0, ivhd0, ...)
 * @param firmwareTables   presence of DMAR and IVRS in /sys/firmware/acpi/tables
 * @param cpu              /proc/cpuinfo
 * @param commandLine      /proc/cmdline of the running kernel
 * @param kernelRelease    /proc/sys/kernel/osrelease (uname -r), null when unknown
 * @param modules          modules.builtin, modules.dep, /proc/modules of that release
 * @param os               /etc/os-release
 * @param files            text of the boot and module configuration files that exist, by path relative to
 *                         the root (etc/default/grub, boot/grub/grub.cfg, etc/modprobe.d/*.conf, proc/mounts, ...)
 * @param commands         the boot and VM tools installed in the root (update-grub, update-initramfs, dracut, virsh,
 *                         ...), by name, found in usr/sbin, usr/bin, sbin or bin
 * @param criticalDevices  devices the host cannot lose, with the reason: the controller of the mounted root
 *                         filesystem, the NIC of the default route
 * @param readProblems     what could not be read, each naming the path and the way out; never fatal
 */
public final class HostFacts {
    private final List<PciDevice> devices;
    private final List<IommuGroup> groups;
    private final List<String> iommuUnits;
    private final Map<FirmwareTable, Presence> firmwareTables;
    private final CpuInfo cpu;
    private final KernelCommandLine commandLine;
    private final String kernelRelease;
    private final KernelModules modules;
    private final OsRelease os;
    private final Map<String, String> files;
    private final java.util.Set<String> commands;
    private final List<Finding> readProblems;
    private final Map<PciAddress, String> criticalDevices;
    private final Map<String, FileOrigin> fileOrigins;
    private final MachineResources machine;
    /** Devices by address: groups are resolved to devices often, and hosts have a thousand devices. */
    private final Map<PciAddress, PciDevice> byAddress;

    public HostFacts(List<PciDevice> devices, List<IommuGroup> groups, List<String> iommuUnits,
                     Map<FirmwareTable, Presence> firmwareTables, CpuInfo cpu, KernelCommandLine commandLine,
                     String kernelRelease, KernelModules modules, OsRelease os, Map<String, String> files,
                     java.util.Set<String> commands, List<Finding> readProblems) {
        this(devices, groups, iommuUnits, firmwareTables, cpu, commandLine, kernelRelease, modules, os, files, commands,
                Map.of(), readProblems);
    }

    public HostFacts(List<PciDevice> devices, List<IommuGroup> groups, List<String> iommuUnits,
                     Map<FirmwareTable, Presence> firmwareTables, CpuInfo cpu, KernelCommandLine commandLine,
                     String kernelRelease, KernelModules modules, OsRelease os, Map<String, String> files,
                     java.util.Set<String> commands, Map<PciAddress, String> criticalDevices, List<Finding> readProblems) {
        this.devices = devices.stream().sorted((a, b) -> a.address().compareTo(b.address())).toList();
        this.groups = groups.stream().sorted((a, b) -> Integer.compare(a.id(), b.id())).toList();
        this.iommuUnits = List.copyOf(iommuUnits);
        this.firmwareTables = Map.copyOf(firmwareTables);
        this.cpu = java.util.Objects.requireNonNull(cpu, "cpu");
        this.commandLine = java.util.Objects.requireNonNull(commandLine, "commandLine");
        this.kernelRelease = kernelRelease;
        this.modules = java.util.Objects.requireNonNull(modules, "modules");
        this.os = java.util.Objects.requireNonNull(os, "os");
        this.files = Map.copyOf(files);
        this.commands = java.util.Set.copyOf(commands);
        this.readProblems = List.copyOf(readProblems);
        this.criticalDevices = Map.copyOf(criticalDevices);
        this.fileOrigins = Map.of();
        this.machine = MachineResources.unknown();
        Map<PciAddress, PciDevice> index = new java.util.HashMap<>();
        for (PciDevice d : this.devices) index.putIfAbsent(d.address(), d);
        this.byAddress = Map.copyOf(index);
    }

    /** A builder with every field at its default; see {@link Builder}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds {@link HostFacts} one field at a time. Tests and plugins build facts for one concern (a bootloader file,
     * a kernel's modules, a firmware table), and a thirteen-argument constructor makes each of them spell out every
     * other field too, so a reader cannot see which argument the test is about. Unset fields keep the defaults: empty
     * lists, maps and sets, {@link CpuInfo#unknown()}, {@link KernelCommandLine#empty()}, {@link KernelModules#unknown()},
     * {@link OsRelease#unknown()} and a null (unknown) kernel release. {@link #build()} copies what it was given, so a
     * builder can be reused.
     */
    public static final class Builder {
        private List<PciDevice> devices = List.of();
        private List<IommuGroup> groups = List.of();
        private List<String> iommuUnits = List.of();
        private Map<FirmwareTable, Presence> firmwareTables = Map.of();
        private CpuInfo cpu = CpuInfo.unknown();
        private KernelCommandLine commandLine = KernelCommandLine.empty();
        private String kernelRelease;
        private KernelModules modules = KernelModules.unknown();
        private OsRelease os = OsRelease.unknown();
        private Map<String, String> files = Map.of();
        private java.util.Set<String> commands = java.util.Set.of();
        private Map<PciAddress, String> criticalDevices = Map.of();
        private List<Finding> readProblems = List.of();
        private MachineResources machine = MachineResources.unknown();

        private Builder() {
        }

        public Builder devices(List<PciDevice> devices) {
            this.devices = java.util.Objects.requireNonNull(devices, "devices");
            return this;
        }

        public Builder groups(List<IommuGroup> groups) {
            this.groups = java.util.Objects.requireNonNull(groups, "groups");
            return this;
        }

        public Builder iommuUnits(List<String> iommuUnits) {
            this.iommuUnits = java.util.Objects.requireNonNull(iommuUnits, "iommuUnits");
            return this;
        }

        public Builder firmwareTables(Map<FirmwareTable, Presence> firmwareTables) {
            this.firmwareTables = java.util.Objects.requireNonNull(firmwareTables, "firmwareTables");
            return this;
        }

        public Builder cpu(CpuInfo cpu) {
            this.cpu = java.util.Objects.requireNonNull(cpu, "cpu");
            return this;
        }

        public Builder commandLine(KernelCommandLine commandLine) {
            this.commandLine = java.util.Objects.requireNonNull(commandLine, "commandLine");
            return this;
        }

        /** The command line parsed from its text, as {@link KernelCommandLine#parse(String)} does. */
        public Builder commandLine(String commandLine) {
            return commandLine(KernelCommandLine.parse(java.util.Objects.requireNonNull(commandLine, "commandLine")));
        }

        /** The running kernel's release (uname -r); null when unknown, the default. */
        public Builder kernelRelease(String kernelRelease) {
            this.kernelRelease = kernelRelease;
            return this;
        }

        public Builder modules(KernelModules modules) {
            this.modules = java.util.Objects.requireNonNull(modules, "modules");
            return this;
        }

        public Builder os(OsRelease os) {
            this.os = java.util.Objects.requireNonNull(os, "os");
            return this;
        }

        public Builder files(Map<String, String> files) {
            this.files = java.util.Objects.requireNonNull(files, "files");
            return this;
        }

        public Builder commands(java.util.Set<String> commands) {
            this.commands = java.util.Objects.requireNonNull(commands, "commands");
            return this;
        }

        public Builder criticalDevices(Map<PciAddress, String> criticalDevices) {
            this.criticalDevices = java.util.Objects.requireNonNull(criticalDevices, "criticalDevices");
            return this;
        }

        public Builder readProblems(List<Finding> readProblems) {
            this.readProblems = java.util.Objects.requireNonNull(readProblems, "readProblems");
            return this;
        }

        public Builder machine(MachineResources machine) {
            this.machine = java.util.Objects.requireNonNull(machine, "machine");
            return this;
        }

        public HostFacts build() {
            return new HostFacts(devices, groups, iommuUnits, firmwareTables, cpu, commandLine, kernelRelease, modules, os,
                    files, commands, criticalDevices, readProblems).withMachine(machine);
        }
    }

    private HostFacts(HostFacts from, Map<String, FileOrigin> fileOrigins, MachineResources machine) {
        this.devices = from.devices;
        this.groups = from.groups;
        this.iommuUnits = from.iommuUnits;
        this.firmwareTables = from.firmwareTables;
        this.cpu = from.cpu;
        this.commandLine = from.commandLine;
        this.kernelRelease = from.kernelRelease;
        this.modules = from.modules;
        this.os = from.os;
        this.files = from.files;
        this.commands = from.commands;
        this.readProblems = from.readProblems;
        this.criticalDevices = from.criticalDevices;
        this.byAddress = from.byAddress;
        this.fileOrigins = Map.copyOf(fileOrigins);
        this.machine = java.util.Objects.requireNonNull(machine, "machine");
    }

    /** These facts with the origin (digest, character set) of the bytes behind {@link #files()}. */
    public HostFacts withFileOrigins(Map<String, FileOrigin> origins) {
        return new HostFacts(this, origins, machine);
    }

    /** These facts with the host's memory, CPUs and BARs (read for `vm create`). */
    public HostFacts withMachine(MachineResources machine) {
        return new HostFacts(this, fileOrigins, machine);
    }

    /** Memory, CPUs and BARs; {@link MachineResources#unknown()} when the reader was not asked for them. */
    public MachineResources machine() {
        return machine;
    }

    /** The digest and character set of the bytes behind {@code files().get(relativePath)}, when the reader recorded it. */
    public Optional<FileOrigin> fileOrigin(String relativePath) {
        return Optional.ofNullable(fileOrigins.get(relativePath));
    }

    public List<PciDevice> devices() {
        return devices;
    }

    public List<IommuGroup> groups() {
        return groups;
    }

    public List<String> iommuUnits() {
        return iommuUnits;
    }

    public Map<FirmwareTable, Presence> firmwareTables() {
        return firmwareTables;
    }

    public CpuInfo cpu() {
        return cpu;
    }

    public KernelCommandLine commandLine() {
        return commandLine;
    }

    public String kernelRelease() {
        return kernelRelease;
    }

    public KernelModules modules() {
        return modules;
    }

    public OsRelease os() {
        return os;
    }

    public Map<String, String> files() {
        return files;
    }

    public java.util.Set<String> commands() {
        return commands;
    }

    public List<Finding> readProblems() {
        return readProblems;
    }

    /** Devices the host cannot give away (root filesystem controller, default-route NIC), with the reason. */
    public Map<PciAddress, String> criticalDevices() {
        return criticalDevices;
    }

    /** The IOMMU is on when the kernel formed groups: that is what passthrough needs. */
    public boolean iommuActive() {
        return !groups.isEmpty();
    }

    public Presence firmwareTable(FirmwareTable table) {
        return firmwareTables.getOrDefault(table, Presence.UNKNOWN);
    }

    public Optional<PciDevice> device(PciAddress address) {
        return Optional.ofNullable(byAddress.get(address));
    }

    public Optional<IommuGroup> group(int id) {
        return groups.stream().filter(g -> g.id() == id).findFirst();
    }

    /** The devices of a group, in address order; devices sysfs lists in the group but not on the bus are left out. */
    public List<PciDevice> devicesOf(IommuGroup group) {
        return group.devices().stream().map(this::device).flatMap(Optional::stream).toList();
    }

    public boolean hasCommand(String name) {
        return commands.contains(name);
    }

    public Optional<String> file(String relativePath) {
        return Optional.ofNullable(files.get(relativePath));
    }
}
