package passthrough.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import passthrough.api.InvalidPciAddressException;
import passthrough.api.PciAddress;
import passthrough.api.PassedFunction;
import passthrough.api.VirtType;
import passthrough.api.VmSpec;
import passthrough.cli.json.VmJson;
import passthrough.core.apply.ApplyResult;
import passthrough.core.plan.Plan;
import passthrough.core.plan.PlanFinding;
import passthrough.core.plan.PlanRefusedException;
import passthrough.core.plan.PlanRequest;
import passthrough.core.plan.PlannedCommand;
import passthrough.core.plan.PlannedFile;
import passthrough.core.plan.Planner;
import passthrough.core.vm.BootReservation;
import passthrough.core.vm.VmOptionParser;
import passthrough.core.vm.VmPlan;
import passthrough.core.vm.VmPlanner;
import passthrough.core.vm.VmRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `passthrough vm create NAME --device ADDR ...`: the VM that owns the GPU, shown, then (--define) installed. */
@Command(name = "create", exitCodeListHeading = "%nExit status:%n", exitCodeList = {" 0:printed, written or defined", " 1:not confirmed, or a command failed (files restored)", " 2:usage error", " 3:refused for safety; nothing was written"},
        mixinStandardHelpOptions = true,
        description = {"Write the VM that owns the GPU: every function of the device's IOMMU group (bridges excluded) in "
                + "one guest slot keeping its function numbers, q35 + UEFI (OVMF), the guest quirks that apply (NVIDIA's "
                + "error 43, the SPICE mouse, a large-BAR card's PCI window), each explained.",
            "Without --define it prints the definition (or writes it to --out FILE) and changes nothing. With --define "
                + "it installs it as one journaled transaction (libvirt: /etc/passthrough/vms/NAME.xml + virsh define; "
                + "qemu: /etc/passthrough/vms/NAME.sh + the VM's firmware variables in /var/lib/passthrough/vms/NAME): "
                + "`passthrough history` lists it, `passthrough rollback` or `passthrough vm remove NAME` undoes it.",
            "Exit 0 done, 1 not confirmed or a command failed (nothing left half-done), 2 bad option, 3 refused for safety."})
final class VmCreateCommand extends NestedSubcommand implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "The VM's name (letters, digits, '.', '_', '-').")
    String name;

    @Option(names = "--device", paramLabel = "ADDR", description = "A function of the GPU (its whole IOMMU group comes along); repeatable.")
    List<String> devices = new ArrayList<>();

    @Option(names = "--usb-controller", paramLabel = "ADDR", description = "A USB controller for the VM's keyboard and mouse "
            + "(`passthrough groups --usb`); its group comes along; repeatable.")
    List<String> usbControllers = new ArrayList<>();

    @Option(names = "--hypervisor", paramLabel = "libvirt|qemu", description = "Default: the profile's first installed one (libvirt, else qemu).")
    String hypervisor;

    @Option(names = "--memory", paramLabel = "SIZE", description = "Guest memory, e.g. 8G or 8192 (MiB). Default: half the host's, at most 16G.")
    String memory;

    @Option(names = "--cpus", paramLabel = "N", description = "vCPUs. Default: half the host's, at most 8.")
    Integer cpus;

    @Option(names = "--disk", paramLabel = "PATH[,size=64G][,format=qcow2|raw]", description = "A disk; created with size= when "
            + "missing (a rollback keeps a created disk: it may hold the guest's data); repeatable.")
    List<String> disks = new ArrayList<>();

    @Option(names = "--iso", paramLabel = "PATH", description = "An installer ISO as a CD-ROM.")
    String iso;

    @Option(names = "--network", paramLabel = "default|bridge=BR|user|none", defaultValue = "default",
            description = "default = libvirt's NAT network (qemu: user networking).")
    String network;

    @Option(names = "--quirk", paramLabel = "ID", description = "Consult only these guest quirks; repeatable (`passthrough plugins` lists them).")
    List<String> quirks = new ArrayList<>();

    @Option(names = "--no-quirk", paramLabel = "ID", description = "Switch a guest quirk off; repeatable.")
    List<String> noQuirks = new ArrayList<>();

    @Option(names = "--boot", paramLabel = "kernel=PATH[,initrd=PATH][,cmdline=TEXT]", description = "Boot a Linux kernel directly.")
    String boot;

    @Option(names = "--virt-type", paramLabel = "kvm|qemu", defaultValue = "kvm", description = "qemu = emulation without KVM (slow; tests).")
    String virtType;

    @Option(names = "--graphics", paramLabel = "spice|none", defaultValue = "spice", description = "A SPICE viewer window, or none.")
    String graphics;

    @Option(names = "--serial-log", paramLabel = "FILE", description = "Write the guest's serial console to this host file.")
    String serialLog;

    @Option(names = "--secure-boot", description = "Choose a Secure Boot firmware.")
    boolean secureBoot;

    @Option(names = "--firmware", paramLabel = "efi|bios", defaultValue = "efi", description = "efi = OVMF (what a GPU "
            + "wants); bios = QEMU's SeaBIOS, for a Linux kernel booted with --boot or a legacy guest.")
    String firmware;

    @Option(names = "--replace", description = "Replace a VM of that name that passthrough defined (and an existing --out file).")
    boolean replace;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the definition (XML or script) to FILE; changes nothing else.")
    Path out;

    @Option(names = "--define", description = "Install the VM (one journaled transaction).")
    boolean define;

    @Option(names = {"-y", "--yes"}, description = "Do not ask for confirmation (for scripts).")
    boolean yes;

    @Mixin
    CommandRunOptions commandRun;

    @Override
    public Integer call() {
        PassthroughCommand global = global();
        VmRequest request = request();
        VmPlan plan;
        try (HostSession session = HostSession.open(global, true)) {
            BootReservation reservation = device -> reservedAtNextBoot(session, device);
            plan = VmPlanner.plan(session.root, session.facts, session.profiled.forVm(), request, reservation);
        } catch (PlanRefusedException e) {
            throw new UserError(usage(e.code()) ? ExitCodes.USAGE : ExitCodes.REFUSED, e.code(), "refused: " + e.getMessage(), e, null);
        }
        PrintWriter o = out();
        String written = null;
        if (out != null) written = writeOut(plan);
        if (!define) {
            if (global.json) {
                printJson(json(plan, written, null));
            } else {
                summary(o, plan);
                if (written == null) {
                    o.println("--- " + plan.documentPath() + " (not written: --define installs it, --out FILE saves it)");
                    o.print(plan.document());
                    if (!plan.document().endsWith("\n")) o.println();
                } else {
                    o.println("Wrote the definition to " + written + ". Nothing else was changed; --define installs it.");
                }
            }
            o.flush();
            return ExitCodes.OK;
        }
        if (plan.changesNothing()) {
            if (global.json) printJson(json(plan, written, null));
            else o.println("Nothing to do: the VM " + plan.name() + " is already defined like this.");
            o.flush();
            return ExitCodes.OK;
        }
        if (!global.json) {
            summary(o, plan);
            VmSupport.printChanges(o, plan);
            o.println();
        }
        if (!yes && !VmSupport.confirm(o, "Define the VM " + plan.name() + " with " + plan.hypervisor() + "?")) {
            if (global.json) {
                throw new UserError(ExitCodes.NOT_READY, "NOT_CONFIRMED", "not defined: not confirmed", null, json(plan, written, null));
            }
            o.println("Not defined.");
            o.flush();
            return ExitCodes.NOT_READY;
        }
        ApplyResult r = VmSupport.apply(global, plan, "define VM " + plan.name() + " (" + plan.hypervisor() + ")",
                commandRun.toApplyOptions(), global.json ? json(plan, written, null) : null);
        if (global.json) {
            printJson(json(plan, written, r.txid()));
        } else {
            o.println("Defined " + plan.name() + " with " + plan.hypervisor() + " in transaction " + r.txid()
                    + "; `passthrough vm remove " + plan.name() + "` or `passthrough rollback " + r.txid() + "` undoes it.");
            o.println("Start it: " + ("libvirt".equals(plan.hypervisor()) ? "virsh start " + plan.name()
                    : "/" + plan.documentPath()) + ".");
        }
        o.flush();
        return ExitCodes.OK;
    }

    private static boolean usage(String code) {
        return code.startsWith("INVALID_") || code.equals("NO_SUCH_DEVICE") || code.equals("UNKNOWN_QUIRK")
                || code.equals("UNKNOWN_HYPERVISOR") || code.equals("NO_DEVICE") || code.endsWith("_NOT_FOUND")
                || code.equals("DISK_DIRECTORY_MISSING") || code.equals("DISK_IS_DIRECTORY");
    }

    private VmRequest request() {
        try {
            List<PciAddress> devs = new ArrayList<>();
            for (String d : devices) devs.add(address("--device", d));
            List<PciAddress> usb = new ArrayList<>();
            for (String d : usbControllers) usb.add(address("--usb-controller", d));
            List<VmRequest.DiskRequest> ds = new ArrayList<>();
            for (String d : disks) ds.add(VmOptionParser.disk(d));
            VirtType vt = switch (virtType) {
                case "kvm" -> VirtType.KVM;
                case "qemu" -> VirtType.QEMU;
                default -> throw new UserError(ExitCodes.USAGE, "INVALID_VIRT_TYPE", "--virt-type '" + virtType + "': kvm or qemu", null, null);
            };
            VmSpec.Graphics g = switch (graphics) {
                case "spice" -> VmSpec.Graphics.SPICE;
                case "none" -> VmSpec.Graphics.NONE;
                default -> throw new UserError(ExitCodes.USAGE, "INVALID_GRAPHICS", "--graphics '" + graphics + "': spice or none", null, null);
            };
            return new VmRequest(name, devs, usb, hypervisor, memory == null ? null : VmOptionParser.memoryMiB(memory), cpus, ds,
                    iso, VmOptionParser.network(network), quirks, noQuirks, boot == null ? null : VmOptionParser.boot(boot), vt, g,
                    serialLog, secureBoot, bios(), replace);
        } catch (VmOptionParser.BadOptionException e) {
            throw new UserError(ExitCodes.USAGE, e.code(), e.getMessage(), e, null);
        }
    }

    private boolean bios() {
        return switch (firmware) {
            case "efi" -> false;
            case "bios" -> true;
            default -> throw new UserError(ExitCodes.USAGE, "INVALID_FIRMWARE", "--firmware '" + firmware + "': efi or bios", null, null);
        };
    }

    private static PciAddress address(String option, String text) {
        try {
            return PciAddress.parse(text);
        } catch (InvalidPciAddressException e) {
            throw new UserError(ExitCodes.USAGE, "INVALID_ADDRESS", option + " '" + text + "': " + e.getMessage(), e, null);
        }
    }

    /**
     * The reservation planner's word: a plan for the device's group (vfio-pci, or pci-stub where that is what the host
     * uses) that changes nothing means the next boot reserves it.
     */
    private static String reservedAtNextBoot(HostSession session, PciAddress device) {
        String why = null;
        for (String binding : List.of("auto", "pci-stub")) {
            try {
                Plan p = Planner.plan(session.root, session.facts, session.plannerPlugins(null, null),
                        new PlanRequest(device, binding, true, true, false));
                if (p.changesNothing()) return null;
                if (why == null) why = "`passthrough plan --device " + device + "` would change " + p.files().stream()
                        .map(PlannedFile::path).collect(Collectors.joining(", "));
            } catch (PlanRefusedException e) {
                if (why == null) why = e.getMessage();
            }
        }
        return why;
    }

    private String writeOut(VmPlan plan) {
        try {
            if (Files.exists(out) && !replace) {
                throw new UserError(ExitCodes.REFUSED, "OUT_EXISTS", "--out " + out + " exists; add --replace to overwrite it "
                        + "or choose another file", null, null);
            }
            Path dir = out.toAbsolutePath().getParent();
            Path tmp = Files.createTempFile(dir, "." + out.getFileName(), ".tmp");
            try {
                Files.writeString(tmp, plan.document());
                if (plan.documentPath().endsWith(".sh")) tmp.toFile().setExecutable(true, false);
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            return out.toString();
        } catch (IOException e) {
            throw new UserError(ExitCodes.IO_ERROR, "IO_ERROR", "cannot write --out " + out + ": " + e.getMessage(), e, null);
        }
    }

    static void summary(PrintWriter o, VmPlan plan) {
        VmSpec s = plan.spec();
        o.println("VM " + plan.name() + " (" + plan.hypervisor() + ": " + plan.hypervisorWhy() + ")");
        o.println("  " + s.memoryMiB() + " MiB, " + s.vcpus() + " vCPUs, q35, " + s.virtType().id() + ", firmware "
                + (s.uefi() ? s.firmware().code() : "SeaBIOS (QEMU's default BIOS)"));
        for (var slot : s.slots()) {
            o.println("  guest slot " + String.format("%02x:00", slot.rootPort()) + ": " + slot.functions().stream()
                    .map(f -> f.host() + " -> ." + f.guestFunction()).collect(Collectors.joining(", "))
                    + (slot.multifunction() ? " (multifunction)" : ""));
        }
        for (var d : s.disks()) o.println("  disk " + d.path() + " (" + d.format() + (d.createBytes() == null ? "" : ", created") + ")");
        if (s.cdrom() != null) o.println("  cdrom " + s.cdrom());
        o.println("  network " + s.network().kind().name().toLowerCase(java.util.Locale.ROOT)
                + (s.network().bridge() == null ? "" : " " + s.network().bridge()) + ", graphics " + s.graphics().name().toLowerCase(java.util.Locale.ROOT));
        if (s.directBoot() != null) o.println("  boots " + s.directBoot().kernel() + (s.directBoot().initrd() == null ? "" : " + " + s.directBoot().initrd()));
        if (plan.quirks().isEmpty()) o.println("Guest quirks: none applies.");
        else o.println("Guest quirks:");
        for (VmPlan.AppliedQuirk q : plan.quirks()) o.println("  " + q.id() + ": " + q.why());
        for (VmPlan.AppliedFeature f : plan.features()) {
            o.println("    + " + f.name() + (f.value().isEmpty() ? "" : " = " + f.value()) + "  (" + String.join(", ", f.quirks()) + ")");
        }
        VmSupport.printFindings(o, plan.findings());
        o.println();
    }

    static VmJson json(VmPlan plan, String out, String txid) {
        Map<String, Object> vm = new LinkedHashMap<>();
        VmSpec s = plan.spec();
        if (s != null) {
            vm.put("memoryMiB", s.memoryMiB());
            vm.put("vcpus", s.vcpus());
            vm.put("virtType", s.virtType().id());
            Map<String, Object> fw = new LinkedHashMap<>();
            fw.put("type", s.uefi() ? "efi" : "bios");
            if (s.uefi()) {
                fw.put("code", s.firmware().code());
                fw.put("varsTemplate", s.firmware().varsTemplate());
                fw.put("secureBoot", s.firmware().secureBoot());
                fw.put("descriptor", s.firmware().descriptor() == null ? null : "/" + s.firmware().descriptor());
            }
            vm.put("firmware", fw);
            List<Map<String, Object>> slots = new ArrayList<>();
            for (var slot : s.slots()) {
                List<Map<String, Object>> fns = new ArrayList<>();
                for (PassedFunction f : slot.functions()) {
                    fns.add(Map.of("host", f.host().toString(), "guest", String.format("0000:%02x:00.%d", slot.rootPort(), f.guestFunction())));
                }
                slots.add(Map.of("rootPort", slot.rootPort(), "multifunction", slot.multifunction(), "functions", fns));
            }
            vm.put("slots", slots);
            vm.put("disks", s.disks().stream().map(d -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("path", d.path());
                m.put("format", d.format());
                m.put("createBytes", d.createBytes());
                return m;
            }).toList());
            vm.put("cdrom", s.cdrom());
            vm.put("network", s.network().kind().name().toLowerCase(java.util.Locale.ROOT));
            vm.put("bridge", s.network().bridge());
            vm.put("graphics", s.graphics().name().toLowerCase(java.util.Locale.ROOT));
        }
        List<Map<String, Object>> quirks = plan.quirks().stream().map(q -> Map.<String, Object>of("id", q.id(), "why", q.why())).toList();
        List<Map<String, Object>> features = plan.features().stream().map(f -> Map.<String, Object>of("name", f.name(),
                "value", f.value(), "quirks", f.quirks())).toList();
        List<Map<String, Object>> files = plan.files().stream().map(f -> Map.<String, Object>of("path", f.path(),
                "plugin", f.plugin(), "reason", f.reason(), "diff", passthrough.core.plan.UnifiedDiff.of(f))).toList();
        List<Map<String, Object>> commands = new ArrayList<>();
        for (PlannedCommand c : plan.commands()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("argv", c.argv());
            m.put("reason", c.reason());
            m.put("plugin", c.plugin());
            m.put("undo", Map.of("kind", c.undo().kind(), "argv", c.undo().argv(), "why", c.undo().why() == null ? "" : c.undo().why()));
            commands.add(m);
        }
        List<Map<String, Object>> findings = new ArrayList<>();
        for (PlanFinding f : plan.findings()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("severity", f.severity().toLowerCase(java.util.Locale.ROOT));
            m.put("code", f.code());
            m.put("message", f.message());
            m.put("fix", f.fix());
            findings.add(m);
        }
        return new VmJson(plan.name(), plan.hypervisor(), plan.hypervisorWhy(), vm, quirks, features, "/" + plan.documentPath(),
                plan.document(), files, commands, findings, out, txid);
    }
}
