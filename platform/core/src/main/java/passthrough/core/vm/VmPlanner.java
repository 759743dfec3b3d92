package passthrough.core.vm;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import passthrough.api.Change;
import passthrough.api.CommandChange;
import passthrough.api.FileChange;
import passthrough.api.Finding;
import passthrough.api.Firmware;
import passthrough.api.GuestQuirk;
import passthrough.api.GuestSlot;
import passthrough.api.HostFacts;
import passthrough.api.Hypervisor;
import passthrough.api.PassedFunction;
import passthrough.api.PciAddress;
import passthrough.api.PciDevice;
import passthrough.api.QuirkResult;
import passthrough.api.VirtType;
import passthrough.api.VmDefinition;
import passthrough.api.VmDisk;
import passthrough.api.VmFeature;
import passthrough.api.VmNetwork;
import passthrough.api.VmSpec;
import passthrough.core.apply.UndoStep;
import passthrough.core.host.HostRoot;
import passthrough.core.plan.PlanFinding;
import passthrough.core.plan.PlanRefusedException;
import passthrough.core.plan.PlannedCommand;
import passthrough.core.plan.PlannedFile;
import passthrough.core.plan.PlannedFiles;
import passthrough.core.profiles.Profile;

/**
 * Makes a {@link VmPlan} from a {@link VmRequest}: the functions (every endpoint of each device's IOMMU group, each
 * card in one guest slot), the size from the host, the firmware from QEMU's descriptors, the quirks' features merged
 * (two quirks that disagree are refused), and the hypervisor's definition. Writes nothing; every refusal is a
 * {@link PlanRefusedException} with a code, the device or file, and the way out.
 */
public final class VmPlanner {
    /** Guest memory by default: half the host's, at least 1 GiB, at most 16 GiB (the host keeps the rest). */
    static final long DEFAULT_MEMORY_CAP_MIB = 16 * 1024;
    static final long DEFAULT_MEMORY_UNKNOWN_MIB = 4096;
    /** vCPUs by default: half the host's, at most 8. */
    static final int DEFAULT_CPUS_CAP = 8;
    static final String VFIO = "vfio-pci";
    static final String STUB = "pci-stub";

    private final HostRoot root;
    private final HostFacts facts;
    private final VmPlugins plugins;
    private final BootReservation reservation;
    private final List<Finding> findings = new ArrayList<>();

    private VmPlanner(HostRoot root, HostFacts facts, VmPlugins plugins, BootReservation reservation) {
        this.root = root;
        if (facts.machine().equals(passthrough.api.MachineResources.unknown())) {
            // memory, CPUs and BARs are read for VMs only (not by every `groups`)
            passthrough.core.host.MachineResourcesReader.Read read = passthrough.core.host.MachineResourcesReader.read(root, facts);
            facts = read.facts();
            findings.addAll(read.problems());
        }
        this.facts = facts;
        this.plugins = plugins;
        this.reservation = reservation;
    }

    public static VmPlan plan(HostRoot root, HostFacts facts, VmPlugins plugins, VmRequest request,
                              BootReservation reservation) throws PlanRefusedException {
        return new VmPlanner(root, facts, plugins, reservation).plan(request);
    }

    private VmPlan plan(VmRequest request) throws PlanRefusedException {
        String name = request.name();
        try {
            VmOptionParser.name(name);
        } catch (VmOptionParser.BadOptionException e) {
            throw new PlanRefusedException(e.code(), e.getMessage(), null);
        }
        if (request.devices().isEmpty() && request.usbControllers().isEmpty()) {
            throw new PlanRefusedException("NO_DEVICE", "vm create needs --device ADDR (a function of the GPU; "
                    + "`passthrough groups --gpu` lists them)", null);
        }
        if (plugins.profile().found()) {
            findings.add(Finding.info("PROFILE", "profile " + plugins.profile().id() + ": " + plugins.profile().reason()));
        }
        Hypervisor hypervisor = chooseHypervisor(request.hypervisor());
        String hypervisorWhy = findings.get(findings.size() - 1).message();
        boolean replacing = checkName(hypervisor, name, request.replace());

        List<GuestSlot> slots = slots(request);
        VirtType virtType = request.virtType() == null ? VirtType.KVM : request.virtType();
        if (virtType == VirtType.KVM && facts.cpu().known() && !facts.cpu().virtualization()) {
            findings.add(Finding.warning("NO_HARDWARE_VIRTUALIZATION", "/proc/cpuinfo shows no " + facts.cpu().virtualizationFlag()
                    + " flag: KVM cannot run this VM", "enable VT-x/AMD-V in the firmware setup, or use --virt-type qemu "
                    + "(emulation: very slow, for tests)"));
        }
        long memory = memory(request.memoryMiB());
        int cpus = cpus(request.cpus());
        Firmware firmware = null;
        if (request.bios()) {
            if (request.secureBoot()) {
                throw new PlanRefusedException("INVALID_FIRMWARE", "--secure-boot needs UEFI; leave out --firmware bios", null);
            }
            boolean display = slots.stream().flatMap(s -> s.functions().stream())
                    .anyMatch(f -> facts.device(f.host()).map(d -> d.classCode().isDisplay()).orElse(false));
            findings.add(display ? Finding.warning("BIOS_WITH_GPU", "--firmware bios: the guest boots QEMU's SeaBIOS, whose "
                    + "legacy option-ROM path most modern GPUs no longer carry", "leave out --firmware bios (UEFI) unless the "
                    + "guest is a Linux kernel booted with --boot or needs legacy boot")
                    : Finding.info("FIRMWARE", "QEMU's default BIOS (SeaBIOS), as --firmware bios asks"));
        } else {
            firmware = firmware(request.secureBoot());
        }
        List<VmDisk> disks = new ArrayList<>();
        List<Change> diskCommands = new ArrayList<>();
        for (VmRequest.DiskRequest d : request.disks()) disks.add(disk(d, diskCommands));
        if (request.iso() != null) mustExist("ISO_NOT_FOUND", "--iso", request.iso(), "give the path of the installer image");
        if (request.boot() != null) {
            mustExist("BOOT_FILE_NOT_FOUND", "--boot kernel=", request.boot().kernel(), "give the path of the kernel image");
            if (request.boot().initrd() != null) {
                mustExist("BOOT_FILE_NOT_FOUND", "--boot initrd=", request.boot().initrd(), "give the path of the initramfs");
            }
        }
        if (request.network().kind() == VmNetwork.Kind.BRIDGE && !root.exists("sys/class/net/" + request.network().bridge() + "/bridge")) {
            throw new PlanRefusedException("BRIDGE_NOT_FOUND", "--network bridge=" + request.network().bridge() + ": no bridge "
                    + "of that name on this host (/sys/class/net/" + request.network().bridge() + "/bridge); create it "
                    + "(e.g. with NetworkManager or /etc/network/interfaces) or use --network default", null);
        }
        if (request.serialLog() != null && !request.serialLog().startsWith("/")) {
            throw new PlanRefusedException("INVALID_SERIAL_LOG", "--serial-log '" + request.serialLog() + "': give an absolute path", null);
        }
        VmSpec.Graphics graphics = request.graphics() == null ? VmSpec.Graphics.SPICE : request.graphics();
        VmSpec spec = new VmSpec(name, memory, cpus, virtType, firmware, disks, request.iso(), request.network(), graphics,
                slots, request.boot(), request.serialLog());

        List<VmPlan.AppliedQuirk> applied = new ArrayList<>();
        List<VmPlan.AppliedFeature> merged = quirks(request, spec, applied);
        List<VmFeature> features = new ArrayList<>();
        for (VmPlan.AppliedFeature f : merged) features.add(featureByKey.get(f.key()));

        VmDefinition definition = hypervisor.define(facts, spec, features);
        findings.addAll(definition.findings());
        Map<String, PlannedFile> files = new LinkedHashMap<>();
        List<PlannedCommand> commands = new ArrayList<>();
        hostQuirks(hypervisor, files, commands);
        collect("vm create", diskCommands, files, commands);
        Map<String, PlannedFile> definitionFiles = new LinkedHashMap<>();
        List<PlannedCommand> definitionCommands = new ArrayList<>();
        collect(hypervisor.id(), definition.changes(), definitionFiles, definitionCommands);
        if (replacing && definitionFiles.isEmpty()) {
            // the same definition again: its commands would only redo what is there (and a rollback of that redo
            // would undefine a VM that existed before it)
            findings.add(Finding.info("UNCHANGED", "the VM " + name + " is already defined exactly like this"));
            replacing = false;
        } else {
            for (Map.Entry<String, PlannedFile> e : definitionFiles.entrySet()) {
                if (files.containsKey(e.getKey())) {
                    throw new PlanRefusedException("CONFLICTING_PLUGINS", hypervisor.id() + " and " + files.get(e.getKey()).plugin()
                            + " both want to write " + e.getKey() + "; report this", null);
                }
                files.put(e.getKey(), e.getValue());
            }
            commands.addAll(definitionCommands);
        }
        if (replacing) {
            findings.add(Finding.info("REPLACES", "replaces the VM " + name + " that passthrough defined before; "
                    + "`passthrough rollback` puts the old definition back"));
        }
        return new VmPlan(name, hypervisor.id(), hypervisorWhy, spec, applied, merged, definition.path(), definition.document(),
                List.copyOf(files.values()), commands, findings.stream().map(f -> new PlanFinding(f.severity().name(),
                        f.code(), f.message(), f.fix())).toList());
    }

    /**
     * The removal of a VM passthrough defined: the hypervisor that holds its document undoes it. A VM someone else
     * defined is refused (passthrough could not put it back).
     */
    public static VmPlan planRemoval(HostRoot root, HostFacts facts, VmPlugins plugins, String name) throws PlanRefusedException {
        return new VmPlanner(root, facts, plugins, d -> null).removal(name);
    }

    private VmPlan removal(String name) throws PlanRefusedException {
        try {
            VmOptionParser.name(name);
        } catch (VmOptionParser.BadOptionException e) {
            throw new PlanRefusedException(e.code(), e.getMessage(), null);
        }
        for (Hypervisor h : plugins.hypervisors()) {
            if (!h.definedByPassthrough(facts, name)) continue;
            Map<String, PlannedFile> files = new LinkedHashMap<>();
            List<PlannedCommand> commands = new ArrayList<>();
            collect(h.id(), h.remove(facts, name), files, commands);
            return new VmPlan(name, h.id(), "its definition is /" + h.documentPath(name), null, List.of(), List.of(),
                    h.documentPath(name), facts.file(h.documentPath(name)).orElse(""), List.copyOf(files.values()), commands,
                    findings.stream().map(f -> new PlanFinding(f.severity().name(), f.code(), f.message(), f.fix())).toList());
        }
        for (Hypervisor h : plugins.hypervisors()) {
            if (h.definedVms(facts).contains(name)) {
                throw new PlanRefusedException("VM_NOT_OURS", "the " + h.id() + " VM " + name + " was not defined by passthrough; "
                        + "remove it with the hypervisor's own tools (virsh undefine " + name + ")", null);
            }
        }
        throw new PlanRefusedException("NO_SUCH_VM", "no VM named " + name + "; `passthrough vm list` shows the VMs", null);
    }

    /** Every VM the hypervisors know, and whether passthrough defined it. */
    public static List<ListedVm> list(HostFacts facts, VmPlugins plugins) {
        List<ListedVm> out = new ArrayList<>();
        for (Hypervisor h : plugins.hypervisors()) {
            Set<String> names = new java.util.TreeSet<>(h.definedVms(facts));
            // and the VMs whose document passthrough installed (a virsh define left to the user counts too)
            String probe = h.documentPath("vmname");
            String prefix = probe.substring(0, probe.indexOf("vmname"));
            String suffix = probe.substring(probe.indexOf("vmname") + "vmname".length());
            for (String path : facts.files().keySet()) {
                if (!path.startsWith(prefix) || !path.endsWith(suffix) || path.length() <= prefix.length() + suffix.length()) continue;
                String n = path.substring(prefix.length(), path.length() - suffix.length());
                if (VmOptionParser.NAME.matcher(n).matches() && h.definedByPassthrough(facts, n)) names.add(n);
            }
            for (String n : names) {
                boolean ours = h.definedByPassthrough(facts, n);
                out.add(new ListedVm(n, h.id(), ours, ours ? "/" + h.documentPath(n) : null));
            }
        }
        return out;
    }

    /** One row of `vm list`. */
    public record ListedVm(String name, String hypervisor, boolean byPassthrough, String document) {
    }

    // ---- hypervisor and name ------------------------------------------------------------------------------------

    private Hypervisor chooseHypervisor(String asked) throws PlanRefusedException {
        List<Hypervisor> all = plugins.hypervisors();
        if (all.isEmpty()) {
            throw new PlanRefusedException("NO_HYPERVISOR_PLUGIN", "no hypervisor plugin is loaded (libvirt and qemu ship with "
                    + "passthrough); see `passthrough plugins`", null);
        }
        if (asked != null) {
            Hypervisor h = all.stream().filter(x -> x.id().equals(asked)).findFirst().orElseThrow(() -> new PlanRefusedException(
                    "UNKNOWN_HYPERVISOR", "--hypervisor " + asked + ": no such hypervisor plugin; known: "
                    + all.stream().map(Hypervisor::id).collect(Collectors.joining(", ")), null));
            List<String> missing = h.missingCommands(facts);
            if (!missing.isEmpty()) {
                throw new PlanRefusedException("HYPERVISOR_NOT_INSTALLED", "--hypervisor " + asked + " needs "
                        + String.join(", ", missing) + ", which this host lacks; " + install(missing), null);
            }
            findings.add(Finding.info("HYPERVISOR", asked + ": asked with --hypervisor"));
            return h;
        }
        for (Hypervisor h : all) {
            if (h.missingCommands(facts).isEmpty()) {
                findings.add(Finding.info("HYPERVISOR", h.id() + ": the " + (plugins.profile().found() ? "profile's " : "")
                        + "first hypervisor installed on this host" + (all.get(0) == h ? "" : " (" + all.get(0).id() + " is not: "
                        + String.join(", ", all.get(0).missingCommands(facts)) + " missing)") + "; --hypervisor ID picks another"));
                return h;
            }
        }
        List<String> missing = new ArrayList<>();
        all.forEach(h -> missing.addAll(h.missingCommands(facts)));
        throw new PlanRefusedException("NO_HYPERVISOR", "no hypervisor is installed: "
                + all.stream().map(h -> h.id() + " needs " + String.join(", ", h.missingCommands(facts))).collect(Collectors.joining("; "))
                + "; " + install(new ArrayList<>(new LinkedHashSet<>(missing))), null);
    }

    /** The install line for missing commands, from the profile's packages where it names them. */
    private String install(List<String> commands) {
        Profile p = plugins.profile().profile();
        if (p != null && p.packages() != null) {
            List<String> names = new ArrayList<>();
            for (String c : commands) {
                p.packages().needed().stream().filter(pk -> c.equals(pk.command())).findFirst().ifPresent(pk -> names.add(pk.name()));
            }
            if (names.size() == commands.size()) return "install them: " + p.packages().install() + " " + String.join(" ", names);
        }
        return "install them (Debian/Ubuntu: qemu-system-x86 libvirt-daemon-system libvirt-clients; Fedora: qemu-kvm "
                + "libvirt; Arch: qemu-full libvirt)";
    }

    /** Whether the plan replaces a VM of that name; refuses a name taken unless passthrough defined it and --replace. */
    private boolean checkName(Hypervisor h, String name, boolean replace) throws PlanRefusedException {
        boolean defined = h.definedVms(facts).contains(name);
        boolean ours = h.definedByPassthrough(facts, name);
        if (!defined && !ours) return false;
        if (!replace) {
            throw new PlanRefusedException("VM_EXISTS", "a " + h.id() + " VM named " + name + " is already defined"
                    + (ours ? " (by passthrough: /" + h.documentPath(name) + ")" : "") + "; pick another name, "
                    + (ours ? "add --replace to replace it, " : "") + "or remove it first (`passthrough vm remove " + name + "`"
                    + (ours ? "" : " works only for VMs passthrough defined") + ")", null);
        }
        if (!ours) {
            throw new PlanRefusedException("VM_NOT_OURS", "the " + h.id() + " VM " + name + " was not defined by passthrough, "
                    + "so a rollback could not put it back; pick another name, or adopt it first so it can be restored: "
                    + "`virsh dumpxml " + name + " > /" + h.documentPath(name) + "`", null);
        }
        return true;
    }

    // ---- devices -------------------------------------------------------------------------------------------------

    private List<GuestSlot> slots(VmRequest request) throws PlanRefusedException {
        // host slot (domain:bus:device) -> its functions, in address order
        Map<String, Map<Integer, PciDevice>> cards = new TreeMap<>();
        Set<Integer> groups = new LinkedHashSet<>();
        List<PciAddress> asked = new ArrayList<>(request.devices());
        asked.addAll(request.usbControllers());
        for (PciAddress a : asked) {
            PciDevice d = facts.device(a).orElseThrow(() -> new PlanRefusedException("NO_SUCH_DEVICE", "no PCI device " + a
                    + " on this host; `passthrough groups` lists the devices", null));
            if (d.classCode().isPciBridge() || d.classCode().isBridge()) {
                throw new PlanRefusedException("DEVICE_IS_BRIDGE", a + " is a bridge (" + d.className() + "); bridges stay with "
                        + "the host: give a function of the card behind it", null);
            }
            Integer group = d.iommuGroup();
            if (group == null) {
                throw new PlanRefusedException("NO_IOMMU_GROUP", a + " has no IOMMU group: the IOMMU is off, or the host has not "
                        + "rebooted since `passthrough apply`; `passthrough check` says which", null);
            }
            if (request.usbControllers().contains(a) && facts.criticalDevices().containsKey(a)) {
                throw new PlanRefusedException("CRITICAL_DEVICE", "--usb-controller " + a + " holds " + facts.criticalDevices().get(a)
                        + ": the host would lose it when the VM starts; pass another controller (`passthrough groups --usb`)", null);
            }
            if (!groups.add(group)) {
                findings.add(Finding.info("SAME_GROUP", a + " is in group " + group + ", which an earlier --device already brings"));
                continue;
            }
            for (PciDevice m : facts.devicesOf(facts.group(group).orElseThrow())) {
                if (m.classCode().isBridge()) continue;
                if (facts.criticalDevices().containsKey(m.address())) {
                    throw new PlanRefusedException("CRITICAL_DEVICE", "group " + group + " of " + a + " holds " + m.address() + ", "
                            + facts.criticalDevices().get(m.address()) + ": the host cannot give it to a VM; "
                            + "`passthrough groups` shows what shares the group", null);
                }
                cards.computeIfAbsent(slotOf(m.address()), k -> new TreeMap<>()).put(m.address().function(), m);
            }
        }
        siblings(cards, groups);
        reserved(cards, groups);
        usbKeyboards(cards);
        List<GuestSlot> slots = new ArrayList<>();
        int port = 1;
        for (Map<Integer, PciDevice> card : cards.values()) {
            if (port > 15) {
                throw new PlanRefusedException("TOO_MANY_SLOTS", "the VM would need more than 15 guest slots (one per card); "
                        + "pass fewer devices", null);
            }
            List<PassedFunction> fns = new ArrayList<>();
            card.values().forEach(d -> fns.add(new PassedFunction(d.address(), d.address().function())));
            slots.add(new GuestSlot(port++, fns));
        }
        findings.add(Finding.info("GUEST_SLOTS", slots.stream().map(s -> "guest slot " + String.format("%02x:00", s.rootPort())
                + " <- " + s.functions().stream().map(f -> f.host().toString()).collect(Collectors.joining(", "))
                + (s.multifunction() ? " (one multifunction card)" : "")).collect(Collectors.joining("; "))
                + ": every function of group" + (groups.size() > 1 ? "s " : " ") + groups.stream().map(String::valueOf)
                .collect(Collectors.joining(", ")) + ", bridges excluded, each keeping its function number"));
        return slots;
    }

    /** The host's last keyboard going to the VM with a USB controller is said loudly, with the way back. */
    private void usbKeyboards(Map<String, Map<Integer, PciDevice>> cards) {
        List<PciAddress> taken = new ArrayList<>();
        cards.values().forEach(c -> c.values().stream().filter(passthrough.core.host.UsbTopology::isUsbController)
                .forEach(d -> taken.add(d.address())));
        if (taken.isEmpty()) return;
        passthrough.core.host.UsbTopology usb = passthrough.core.host.UsbTopology.read(root, facts);
        findings.addAll(usb.problems());
        List<String> lost = new ArrayList<>();
        for (PciAddress a : taken) {
            usb.behind(a).ifPresent(c -> c.keyboards().forEach(k -> lost.add(k.displayName() + " on " + a.toShortString())));
        }
        if (lost.isEmpty()) return;
        List<String> kept = usb.keyboardsKeptWithout(taken);
        if (kept.isEmpty()) {
            findings.add(Finding.warning("ONLY_KEYBOARD", "the host loses its only keyboard while the VM runs: " + String.join("; ", lost)
                    + " hangs off a USB controller the VM takes", "make sure you can get back in before you start it: ssh "
                    + "from another machine, or another keyboard on a controller the host keeps (`passthrough groups --usb`)"));
        } else {
            findings.add(Finding.warning("KEYBOARD_TAKEN", String.join("; ", lost) + " goes to the VM with its USB controller; "
                    + "the host keeps " + String.join("; ", kept), null));
        }
    }

    private static String slotOf(PciAddress a) {
        String s = a.toString();
        return s.substring(0, s.lastIndexOf('.'));
    }

    /** The card's functions in other groups: taken when they are reserved too, else a warning. */
    private void siblings(Map<String, Map<Integer, PciDevice>> cards, Set<Integer> groups) {
        for (PciDevice d : facts.devices()) {
            Map<Integer, PciDevice> card = cards.get(slotOf(d.address()));
            if (card == null || card.containsKey(d.address().function()) || d.iommuGroup() == null || groups.contains(d.iommuGroup())) continue;
            List<PciDevice> others = facts.devicesOf(facts.group(d.iommuGroup()).orElseThrow());
            boolean onlyThisCard = others.stream().allMatch(o -> o.classCode().isBridge() || slotOf(o.address()).equals(slotOf(d.address())));
            boolean held = others.stream().filter(o -> !o.classCode().isBridge()).allMatch(o -> VFIO.equals(o.driver()) || STUB.equals(o.driver()));
            if (onlyThisCard && held) {
                groups.add(d.iommuGroup());
                for (PciDevice o : others) if (!o.classCode().isBridge()) card.put(o.address().function(), o);
                findings.add(Finding.info("CARD_FUNCTION_ADDED", d.address() + " (" + d.displayName() + ") is in group " + d.iommuGroup()
                        + " of its own and reserved: the VM takes it with the rest of the card"));
            } else {
                findings.add(Finding.warning("CARD_FUNCTION_LEFT", d.address() + " (" + d.displayName() + ") belongs to the card but "
                        + "sits in group " + d.iommuGroup() + (onlyThisCard ? ", which is not reserved" : " with other devices")
                        + ": the VM gets the card without it", onlyThisCard ? "reserve it too: `passthrough apply --device "
                        + d.address() + " --with-siblings`, reboot, then create the VM again" : null));
            }
        }
    }

    /**
     * Every function must be on vfio-pci or pci-stub, or without a driver (libvirt's managed mode and the QEMU script
     * move those to vfio-pci at start), or reserved by the next boot's configuration (then: reboot first). A function
     * a host driver holds that no reservation covers could hang the host when the VM takes it (seed 1: "a device the
     * host did not reserve can hang the whole machine"): refused.
     */
    private void reserved(Map<String, Map<Integer, PciDevice>> cards, Set<Integer> groups) throws PlanRefusedException {
        List<PciDevice> all = new ArrayList<>();
        cards.values().forEach(c -> all.addAll(c.values()));
        List<PciDevice> held = all.stream().filter(d -> d.driver() != null && !VFIO.equals(d.driver()) && !STUB.equals(d.driver())).toList();
        if (held.isEmpty()) {
            List<PciDevice> stub = all.stream().filter(d -> STUB.equals(d.driver()) || d.driver() == null).toList();
            if (!stub.isEmpty()) {
                findings.add(Finding.info("MANAGED_DETACH", stub.stream().map(d -> d.address() + " (" + (d.driver() == null ? "no driver"
                        : d.driver()) + ")").collect(Collectors.joining(", ")) + " move to vfio-pci when the VM starts and back when it stops"));
            }
            return;
        }
        Set<PciAddress> pending = new LinkedHashSet<>();
        for (PciDevice d : held) {
            String missing = reservation.missing(d.address());
            if (missing != null) {
                boolean half = all.size() > held.size();
                String heldBy = held.stream().map(h -> h.address() + " (" + h.driver() + ")").collect(Collectors.joining(", "));
                throw new PlanRefusedException(half ? "GROUP_HALF_RESERVED" : "NOT_RESERVED", (half ? "only part of the VM's "
                        + "devices are reserved: " : "") + heldBy + (held.size() == 1 ? " is" : " are") + " held by host "
                        + "drivers and the next boot does not reserve " + (held.size() == 1 ? "it" : "them") + " (" + missing
                        + "); a VM taking a device from a running host driver can hang the host. Reserve the group first: "
                        + "`passthrough apply --device " + d.address() + "`, reboot, `passthrough verify --device " + d.address()
                        + "`, then create the VM", null);
            }
            pending.add(d.address());
        }
        findings.add(Finding.warning("RESERVED_AFTER_REBOOT", pending.stream().map(PciAddress::toString).collect(Collectors.joining(", "))
                + " still run on host drivers, but the next boot reserves them", "reboot and run `passthrough verify` before "
                + "starting the VM"));
    }

    // ---- size, firmware, disks -----------------------------------------------------------------------------------

    private long memory(Long asked) throws PlanRefusedException {
        long host = facts.machine().memoryMiB();
        if (asked != null) {
            if (host > 0 && asked >= host) {
                throw new PlanRefusedException("MEMORY_TOO_LARGE", "--memory " + asked + " MiB is not less than the host's "
                        + host + " MiB (/proc/meminfo MemTotal); the host needs memory of its own: ask for less", null);
            }
            if (host > 0 && asked * 10 > host * 9) {
                findings.add(Finding.warning("MEMORY_TIGHT", "--memory " + asked + " MiB leaves the host less than a tenth of its "
                        + host + " MiB", "ask for less if the host swaps"));
            }
            return asked;
        }
        if (host <= 0) {
            findings.add(Finding.info("MEMORY", DEFAULT_MEMORY_UNKNOWN_MIB + " MiB (the host's memory is unknown: no /proc/meminfo); "
                    + "--memory sets it"));
            return DEFAULT_MEMORY_UNKNOWN_MIB;
        }
        long m = Math.max(1024, Math.min(DEFAULT_MEMORY_CAP_MIB, host / 2 / 512 * 512));
        if (m >= host) m = Math.max(256, host / 2);
        findings.add(Finding.info("MEMORY", m + " MiB: half the host's " + host + " MiB, at most " + DEFAULT_MEMORY_CAP_MIB
                + "; --memory sets it"));
        return m;
    }

    private int cpus(Integer asked) throws PlanRefusedException {
        int host = facts.machine().cpus();
        if (asked != null) {
            if (asked < 1) throw new PlanRefusedException("INVALID_CPUS", "--cpus " + asked + ": at least 1", null);
            if (host > 0 && asked > host) {
                findings.add(Finding.warning("CPUS_OVERCOMMITTED", "--cpus " + asked + " is more than the host's " + host
                        + " logical CPUs: the guest will run slower, not faster", "ask for at most " + host));
            }
            return asked;
        }
        int c = host <= 0 ? 2 : Math.max(1, Math.min(DEFAULT_CPUS_CAP, host / 2));
        findings.add(Finding.info("CPUS", c + " vCPUs: " + (host <= 0 ? "the host's CPU count is unknown" : "half the host's "
                + host + ", at most " + DEFAULT_CPUS_CAP) + "; --cpus sets it"));
        return c;
    }

    private Firmware firmware(boolean secureBoot) throws PlanRefusedException {
        FirmwareDescriptors.Choice c = FirmwareDescriptors.choose(root, secureBoot);
        if (c.firmware().isPresent()) {
            Firmware f = c.firmware().get();
            findings.add(Finding.info("FIRMWARE", f.code() + " with the variables template " + f.varsTemplate()
                    + ", from /" + f.descriptor() + " (QEMU's firmware descriptors, as libvirt chooses)"));
            return f;
        }
        Profile p = plugins.profile().profile();
        if (p != null && p.firmware() != null && !secureBoot) {
            Optional<String> code = p.firmware().ovmfCode().stream().filter(root::exists).findFirst();
            Optional<String> vars = p.firmware().ovmfVars().stream().filter(root::exists).findFirst();
            if (code.isPresent() && vars.isPresent()) {
                findings.add(Finding.info("FIRMWARE", "/" + code.get() + " with the variables template /" + vars.get()
                        + ", from profile " + p.id() + " (this host has no QEMU firmware descriptors)"));
                return new Firmware("/" + code.get(), "/" + vars.get(), "raw", false, null);
            }
        }
        String pkg = p != null && p.firmware() != null && p.firmware().ovmfPackage() != null
                ? p.firmware().ovmfPackage() + (p.packages() == null ? "" : " (" + p.packages().install() + " " + p.firmware().ovmfPackage() + ")")
                : "ovmf on Debian/Ubuntu, edk2-ovmf on Fedora and Arch";
        throw new PlanRefusedException("NO_FIRMWARE", "no UEFI firmware (OVMF) for a q35 guest" + (secureBoot ? " with Secure Boot" : "")
                + " on this host" + (c.rejected().isEmpty() ? "" : " (" + String.join("; ", c.rejected()) + ")")
                + "; install " + pkg, null);
    }

    private VmDisk disk(VmRequest.DiskRequest d, List<Change> commands) throws PlanRefusedException {
        String rel = FirmwareDescriptors.relative(d.path());
        String format = d.format() != null ? d.format() : d.path().endsWith(".qcow2") ? "qcow2" : "raw";
        if (root.exists(rel)) {
            if (root.isDirectory(rel)) {
                throw new PlanRefusedException("DISK_IS_DIRECTORY", "--disk " + d.path() + " is a directory; give a file", null);
            }
            if (d.sizeBytes() != null) {
                findings.add(Finding.info("DISK_EXISTS", d.path() + " exists: used as it is, size= ignored"));
            }
            return new VmDisk(d.path(), format, null);
        }
        if (d.sizeBytes() == null) {
            throw new PlanRefusedException("DISK_NOT_FOUND", "--disk " + d.path() + " does not exist; add ,size=64G to create it", null);
        }
        String parent = rel.contains("/") ? rel.substring(0, rel.lastIndexOf('/')) : "";
        if (!parent.isEmpty() && !root.isDirectory(parent)) {
            throw new PlanRefusedException("DISK_DIRECTORY_MISSING", "--disk " + d.path() + ": the directory /" + parent
                    + " does not exist; create it or choose another place", null);
        }
        if (!facts.hasCommand("qemu-img")) {
            throw new PlanRefusedException("QEMU_IMG_MISSING", "--disk " + d.path() + " is to be created, but qemu-img is not "
                    + "installed; install it (Debian/Ubuntu: qemu-utils; Fedora, Arch: qemu-img) or give an existing disk", null);
        }
        commands.add(new CommandChange(List.of("qemu-img", "create", "-f", format, d.path(), String.valueOf(d.sizeBytes())),
                "create the VM's " + format + " disk of " + human(d.sizeBytes()),
                passthrough.api.CommandUndo.keep("the disk " + d.path() + " may hold the guest's data by then; delete it "
                        + "yourself when you no longer need it")));
        return new VmDisk(d.path(), format, d.sizeBytes());
    }

    private void mustExist(String code, String option, String path, String fix) throws PlanRefusedException {
        if (!path.startsWith("/")) throw new PlanRefusedException(code, option + path + ": give an absolute path", null);
        if (!root.exists(FirmwareDescriptors.relative(path))) {
            throw new PlanRefusedException(code, option + path + " does not exist; " + fix, null);
        }
    }

    static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < units.length - 1 && v % 1024 == 0) {
            v /= 1024;
            u++;
        }
        return (v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v)) + " " + units[u];
    }

    // ---- quirks --------------------------------------------------------------------------------------------------

    private final Map<String, VmFeature> featureByKey = new LinkedHashMap<>();

    private List<VmPlan.AppliedFeature> quirks(VmRequest request, VmSpec spec, List<VmPlan.AppliedQuirk> applied)
            throws PlanRefusedException {
        Set<String> known = new LinkedHashSet<>();
        plugins.quirks().forEach(q -> known.add(q.id()));
        for (String id : concat(request.quirks(), request.noQuirks())) {
            if (!known.contains(id)) {
                throw new PlanRefusedException("UNKNOWN_QUIRK", "no guest quirk '" + id + "'; known: " + String.join(", ", known)
                        + " (`passthrough plugins` lists them)", null);
            }
        }
        Map<String, List<String>> askedBy = new LinkedHashMap<>();
        for (GuestQuirk q : plugins.quirks()) {
            if (request.noQuirks().contains(q.id())) {
                findings.add(Finding.info("QUIRK_OFF", q.id() + ": switched off with --no-quirk"));
                continue;
            }
            if (!request.quirks().isEmpty() && !request.quirks().contains(q.id())) continue;
            QuirkResult r = q.features(facts, spec);
            if (r == null || !r.applies()) {
                if (request.quirks().contains(q.id())) {
                    findings.add(Finding.warning("QUIRK_DOES_NOT_APPLY", q.id() + ": asked with --quirk, but it has nothing to add "
                            + "to this VM", null));
                }
                continue;
            }
            findings.addAll(r.findings());
            if (r.features().isEmpty()) continue;
            applied.add(new VmPlan.AppliedQuirk(q.id(), r.why()));
            for (VmFeature f : r.features()) {
                VmFeature before = featureByKey.get(f.key());
                if (before != null && !before.equals(f)) {
                    throw new PlanRefusedException("CONFLICTING_QUIRKS", "quirks " + String.join(" and ", askedBy.get(f.key()))
                            + " and " + q.id() + " disagree on " + f.name() + (f instanceof VmFeature.DeviceFeature df ? " of " + df.device() : "")
                            + ": '" + before.value() + "' against '" + f.value() + "'; switch one off with --no-quirk "
                            + askedBy.get(f.key()).get(0) + " or --no-quirk " + q.id(), null);
                }
                featureByKey.put(f.key(), f);
                List<String> by = askedBy.computeIfAbsent(f.key(), k -> new ArrayList<>());
                if (!by.contains(q.id())) by.add(q.id());
            }
        }
        List<VmPlan.AppliedFeature> out = new ArrayList<>();
        for (Map.Entry<String, VmFeature> e : featureByKey.entrySet()) {
            out.add(new VmPlan.AppliedFeature(e.getValue().name(), e.getValue().value(), e.getKey(), askedBy.get(e.getKey())));
        }
        return out;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    // ---- changes -------------------------------------------------------------------------------------------------

    /** The profile's host quirks for libvirt (Ubuntu 18.04: security_driver = "none" in qemu.conf, then a restart). */
    private void hostQuirks(Hypervisor h, Map<String, PlannedFile> files, List<PlannedCommand> commands) throws PlanRefusedException {
        Profile p = plugins.profile().profile();
        if (p == null || !"libvirt".equals(h.id())) return;
        List<Change> changes = new ArrayList<>();
        for (Profile.HostQuirk q : p.hostQuirks()) {
            if (!q.file().startsWith("etc/libvirt/")) continue;
            String text = root.readText(q.file()).orElse(null);
            if (text == null) {
                findings.add(Finding.warning("HOST_QUIRK_LATER", "/" + q.file() + " does not exist: profile " + p.id() + " needs "
                        + q.key() + " = " + q.value() + " in it (" + q.why() + ")", "install libvirt, then create the VM again"));
                continue;
            }
            String edited = HostSettingEdit.set(text, q.key(), q.value(), q.why());
            if (edited.equals(text)) continue;
            changes.add(new FileChange(q.file(), edited, "profile " + p.id() + ": " + q.why()));
            changes.add(new CommandChange(List.of("systemctl", "try-restart", "libvirtd"), "libvirtd reads /" + q.file()
                    + " only when it starts"));
        }
        collect("profile " + p.id(), changes, files, commands);
    }

    private void collect(String plugin, List<Change> changes, Map<String, PlannedFile> files, List<PlannedCommand> commands)
            throws PlanRefusedException {
        for (Change c : changes) {
            if (c instanceof FileChange f) {
                if (files.containsKey(f.path())) {
                    throw new PlanRefusedException("CONFLICTING_PLUGINS", plugin + " and " + files.get(f.path()).plugin()
                            + " both want to write " + f.path() + "; report this", null);
                }
                PlannedFile planned = PlannedFiles.of(root, facts, plugin, f);
                if (planned != null) files.put(f.path(), planned);
            } else if (c instanceof CommandChange cmd) {
                commands.add(new PlannedCommand(cmd.argv(), cmd.reason(), plugin, UndoStep.of(cmd.undo())));
            } else {
                throw new PlanRefusedException("UNSUPPORTED_CHANGE", plugin + " asked for a " + c.getClass().getSimpleName()
                        + " in a VM definition; only files and commands belong there: report this to its author", null);
            }
        }
    }
}
