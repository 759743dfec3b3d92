package passthrough.core.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import passthrough.core.plugins.Probes;
import passthrough.core.profiles.ExtensionChoice;
import passthrough.api.BindingStrategy;
import passthrough.api.BootloaderWriter;
import passthrough.api.Change;
import passthrough.api.CommandChange;
import passthrough.api.Contribution;
import passthrough.api.PciAddress;
import passthrough.api.EarlyModuleLoader;
import passthrough.api.EarlyModulesChange;
import passthrough.api.FileChange;
import passthrough.api.Finding;
import passthrough.api.HardwareProbe;
import passthrough.api.HostFacts;
import passthrough.api.IommuGroup;
import passthrough.api.IommuRequirement;
import passthrough.api.KernelCommandLine;
import passthrough.api.KernelParameter;
import passthrough.api.KernelParameterListEdit;
import passthrough.api.KernelParametersChange;
import passthrough.api.PciDevice;
import passthrough.api.PciId;
import passthrough.api.Presence;
import passthrough.api.Reservation;
import passthrough.api.Severity;
import passthrough.core.host.HostRoot;
import passthrough.core.host.UsbController;
import passthrough.core.host.UsbDevice;
import passthrough.core.host.UsbDisk;
import passthrough.core.host.UsbTopology;

/**
 * Turns "reserve this GPU" into a {@link Plan}: the target's whole IOMMU group, the safety rules, and the parts the
 * chosen plugins contribute (IOMMU parameters, the binding, the bootloader edit, early module loading). Reads only
 * through the {@link HostRoot} (for the current bytes of the files it will change) and writes nothing.
 */
public final class Planner {
    /** --binding auto's order when no profile gives one. */
    private static final List<String> DEFAULT_BINDING_ORDER = List.of("vfio-pci", "pci-stub");
    private final HostRoot root;
    private final HostFacts facts;
    private final PlannerPlugins plugins;
    private final List<Finding> findings = new ArrayList<>();
    private UsbTopology usbTopology;

    private Planner(HostRoot root, HostFacts facts, PlannerPlugins plugins) {
        this.root = root;
        this.facts = facts;
        this.plugins = plugins;
    }

    public static Plan plan(HostRoot root, HostFacts facts, PlannerPlugins plugins, PlanRequest request)
            throws PlanRefusedException {
        return new Planner(root, facts, plugins).plan(request);
    }

    private Plan plan(PlanRequest request) throws PlanRefusedException {
        List<PciDevice> targets = new ArrayList<>();
        for (PciAddress a : request.devices()) {
            PciDevice d = facts.device(a).orElseThrow(() -> new PlanRefusedException("NO_SUCH_DEVICE",
                    "no PCI device " + a + " on this host; `passthrough groups` lists the devices", null));
            if (targets.contains(d)) {
                throw new PlanRefusedException("DUPLICATE_DEVICE", "--device " + a.toShortString() + " is named twice; "
                        + "name each device once", null);
            }
            targets.add(d);
        }
        PciDevice target = targets.get(0);
        // every parameter is judged on the line the NEXT boot gets (what the bootloader is configured to give), not on
        // the running /proc/cmdline: an earlier plan applied before this reboot, or a parameter typed once at GRUB's
        // prompt, makes the two differ
        if (plugins.profile().found()) {
            findings.add(Finding.info("PROFILE", "profile " + plugins.profile().id() + ": " + plugins.profile().reason()));
        } else {
            findings.add(Finding.warning("NO_PROFILE", plugins.profile().reason(), null));
        }
        // the writer decides which line the next boot gets, so an undecided choice stops the plan here
        ExtensionChoice<BootloaderWriter> writerChoice = plugins.bootloader();
        if (writerChoice.refusal() != null) throw new PlanRefusedException(writerChoice.code(), writerChoice.refusal(), null);
        BootloaderWriter writer = writerChoice.chosen();
        findings.add(Finding.info("BOOTLOADER_WRITER", writerChoice.explanation()));
        KernelCommandLine configured = writer == null ? facts.commandLine() : writer.configuredCommandLine(facts);
        List<KernelParametersChange> commandLine = new ArrayList<>();
        IommuRequirement requirement = iommu(target, configured, commandLine);

        // each named device brings its whole group (and, with --with-siblings, its card's other groups); a device
        // already brought by an earlier one is named twice in effect, and said so once
        List<PciDevice> reserved = new ArrayList<>();
        List<Integer> groups = new ArrayList<>();
        List<CardFunction> card = new ArrayList<>();
        Map<PciAddress, PciDevice> takenBy = new LinkedHashMap<>();
        Set<PciAddress> named = targets.stream().map(PciDevice::address).collect(Collectors.toSet());
        for (PciDevice t : targets) {
            PciDevice earlier = takenBy.get(t.address());
            if (earlier != null) {
                throw new PlanRefusedException("SAME_GROUP", "--device " + t.address().toShortString() + " is in "
                        + (t.iommuGroup() == null || !facts.iommuActive() ? "the same slot"
                                : groups.indexOf(t.iommuGroup()) >= 0 && !java.util.Objects.equals(t.iommuGroup(),
                                earlier.iommuGroup()) ? "IOMMU group " + t.iommuGroup() + ", which --with-siblings already takes with"
                                : "IOMMU group " + t.iommuGroup() + ", as") + " --device " + earlier.address().toShortString()
                        + ", whose whole group is reserved with it; name each group once (leave out --device "
                        + t.address().toShortString() + ")", null);
            }
            List<PciDevice> mine = new ArrayList<>(members(t).stream().filter(d -> !d.classCode().isPciBridge()).toList());
            if (t.iommuGroup() != null && facts.iommuActive() && !groups.contains(t.iommuGroup())) groups.add(t.iommuGroup());
            for (CardFunction f : wholeCard(t, mine, groups, request.withSiblings(), named)) {
                if (card.stream().noneMatch(c -> c.address().equals(f.address()))) card.add(f);
            }
            for (PciDevice d : mine) {
                if (takenBy.putIfAbsent(d.address(), t) == null) reserved.add(d);
            }
            mine.sort((a, b) -> a.address().compareTo(b.address()));
            safety(t, mine, request);
        }
        reserved.sort((a, b) -> a.address().compareTo(b.address()));
        usbControllers(reserved);
        boolean byAddress = identicalIdsElsewhere(reserved);

        Reservation reservation = new Reservation(reserved, byAddress);
        BindingStrategy binding = chooseBinding(request.binding());
        Contribution bound = binding.reserve(facts, reservation);
        if (request.binding().equals("auto") && hasErrors(bound)) {
            // e.g. vfio-pci is a module but a competing driver is built in: the seed's answer, pci-stub built in, may work
            for (BindingStrategy other : autoCandidates()) {
                if (other == binding || !other.isAvailable(facts)) continue;
                Contribution alt = other.reserve(facts, reservation);
                if (!hasErrors(alt)) {
                    findings.add(Finding.info("BINDING_FALLBACK", binding.id() + " cannot reserve this group here ("
                            + bound.findings().stream().filter(f -> f.severity() == Severity.ERROR).findFirst().orElseThrow()
                            .message() + "), so " + other.id() + " is used"));
                    binding = other;
                    bound = alt;
                    break;
                }
            }
        }
        refuseOnErrors(binding.id(), bound);
        findings.addAll(bound.findings());
        if (!plugins.quirks().isEmpty()) {
            // the quirks' advice may need BAR sizes (a Resizable BAR enlarged on the host): read for them only
            passthrough.core.host.MachineResourcesReader.Read machine = passthrough.core.host.MachineResourcesReader.read(root, facts);
            findings.addAll(machine.problems());
            findings.addAll(QuirkAdvice.about(plugins.quirks(), machine.facts(), reservation));
        }

        Map<String, PlannedFile> files = new LinkedHashMap<>();
        List<PlannedCommand> commands = new ArrayList<>();
        List<EarlyModulesChange> early = new ArrayList<>();
        collect(binding.id(), bound, files, commands, commandLine, early);
        for (BindingStrategy other : plugins.bindings()) {
            // switching strategies: what the other one set up for these devices would fight ours at boot
            if (other == binding) continue;
            Contribution released = other.release(facts, reservation);
            refuseOnErrors(other.id(), released);
            findings.addAll(released.findings());
            collect(other.id(), released, files, commands, commandLine, early);
        }

        // the early-module loader runs before the writer: its kernel parameters (dracut's rd.driver.pre=, say) are
        // part of the command line the writer gets
        EarlyModulesChange earlyChange = mergeModules(early);
        List<String> changedEarlyFiles = files.keySet().stream()
                .filter(p -> p.startsWith("etc/modprobe.d/") || earlyChange.extraFiles().contains(p)).toList();
        ExtensionChoice<EarlyModuleLoader> loaderChoice = plugins.earlyModules();
        List<PlannedCommand> loaderCommands = new ArrayList<>();
        Map<String, PlannedFile> loaderFiles = new LinkedHashMap<>();
        EarlyModuleLoader loader = loaderChoice.chosen();
        if (!earlyChange.modules().isEmpty() || (loader != null && !changedEarlyFiles.isEmpty())) {
            if (loaderChoice.refusal() != null) throw new PlanRefusedException(loaderChoice.code(), loaderChoice.refusal(), null);
            if (loader == null) throw new PlanRefusedException("NO_EARLY_MODULE_LOADER", "modules must load early ("
                            + String.join(", ", earlyChange.modules()) + ") but no plugin knows how this host "
                            + "loads modules early (" + loaderChoice.explanation() + "; no initramfs-tools, dracut, "
                            + "mkinitcpio or LFS sysconfig found)", null);
            findings.add(Finding.info("EARLY_MODULE_LOADER", loaderChoice.explanation()));
            Contribution c = loader.load(facts, earlyChange.withChangedFiles(changedEarlyFiles));
            refuseOnErrors(loader.id(), c);
            findings.addAll(c.findings());
            // its commands (rebuilding the initramfs) run before the writer's (see below)
            collect(loader.id(), c, loaderFiles, loaderCommands, commandLine, new ArrayList<>());
        }

        // list parameters (vfio-pci.ids, pci-stub.ids) merge into the configured line: what an earlier plan put there stays
        KernelParametersChange merged = merge(commandLine).resolvedAgainst(configured);
        // the reason names only the parts that change something (a release of ids that are not there says nothing)
        merged = new KernelParametersChange(merged.set(), merged.remove(), merged.listEdits(), commandLine.stream()
                .filter(c -> !c.changesNothingOn(configured)).map(KernelParametersChange::reason).distinct()
                .collect(Collectors.joining("; ")));
        String nextCommandLine = configured.toString();
        int writerCommands = commands.size();
        if (!merged.changesNothingOn(configured)) {
            if (writer == null) {
                throw new PlanRefusedException("NO_BOOTLOADER_WRITER", "the kernel command line must change ("
                        + describe(merged) + ") but " + writerChoice.explanation() + "; install a bootloader plugin for this "
                        + "host's boot set-up (`passthrough plugins` lists what is loaded)", null);
            }
            Contribution c = writer.change(facts, merged);
            refuseOnErrors(writer.id(), c);
            findings.addAll(c.findings());
            collect(writer.id(), c, files, commands, new ArrayList<>(), early);
            nextCommandLine = merged.applyTo(configured).toString();
        }
        for (Map.Entry<String, PlannedFile> e : loaderFiles.entrySet()) {
            if (files.putIfAbsent(e.getKey(), e.getValue()) != null) {
                throw new PlanRefusedException("CONFLICTING_PLUGINS", e.getValue().plugin() + " and "
                        + files.get(e.getKey()).plugin() + " both want to write " + e.getKey()
                        + "; remove one of the plugins or report this", null);
            }
        }
        // every file is written before the first command runs; of the commands, the initramfs is rebuilt before the
        // bootloader's refresh runs, since a refresh may copy the initramfs: kernel-install's 85-initrd.install puts
        // /boot/initrd.img-<release> into the loader entry's directory on the ESP, proxmox-boot-tool refresh copies
        // every kernel's initrd to its ESPs, grub-mkconfig writes an initrd line only for an image it finds. The
        // other order leaves the ESP with the initramfs of before the plan (read in Debian 12's 85-initrd.install).
        commands.addAll(writerCommands, loaderCommands);
        commands = lastOfEachRegenerator(commands);
        // the list parameters the bindings touched (their names come from the bindings, not from here)
        if (writer != null) runningLineDiffers(writer, configured, merged, merge(commandLine).listEdits(), requirement);
        return new Plan(Plan.FORMAT, root.path().toString(), target.address().toString(),
                targets.stream().map(t -> t.address().toString()).toList(), target.iommuGroup(), groups, card,
                binding.id(),
                byAddress, reserved.stream().map(Planner::reservedDevice).toList(), nextCommandLine,
                List.copyOf(files.values()), commands, findings.stream().map(f -> new PlanFinding(f.severity().jsonName(),
                f.code(), f.message(), f.fix())).toList(), !files.isEmpty());
    }

    /**
     * Adds the IOMMU parameters to {@code commandLine} when the configured line lacks them; refuses when there is no
     * way to turn the IOMMU on. Returns the requirement (null without a probe).
     */
    private IommuRequirement iommu(PciDevice target, KernelCommandLine configured,
                                   List<KernelParametersChange> commandLine) throws PlanRefusedException {
        HardwareProbe probe = Probes.forHost(plugins.probes(), facts).orElse(null);
        IommuRequirement req = probe == null ? null : probe.requirement(facts, configured);
        if (!facts.iommuActive()) {
            if (req == null) {
                throw new PlanRefusedException("NO_IOMMU", "there are no IOMMU groups and no HardwareProbe plugin "
                        + "recognises this platform, so the IOMMU cannot be turned on; install a probe plugin for it", null);
            }
            if (facts.firmwareTable(req.firmwareTable()) == Presence.ABSENT) {
                throw new PlanRefusedException("NO_IOMMU", "there are no IOMMU groups and the firmware does not announce "
                        + req.technology() + " (sys/firmware/acpi/tables/" + req.firmwareTable() + " is absent); enable it "
                        + "in the firmware setup, reboot, and plan again", null);
            }
            findings.add(Finding.warning("IOMMU_OFF", "the IOMMU is off, so this plan also turns " + req.technology()
                    + " on; until the reboot the IOMMU group of " + target.address() + " is unknown, so the functions of "
                    + "its slot are reserved", "after the reboot run `passthrough verify`: it checks the whole group"));
        }
        if (req != null && !req.isMetBy(configured)) commandLine.add(req.asChange());
        return req;
    }

    /**
     * Says so when the running kernel was booted with other values of the parameters this plan is about than the
     * configuration gives the next boot (typed at GRUB's prompt, or a plan applied and not yet rebooted into).
     */
    private void runningLineDiffers(BootloaderWriter writer, KernelCommandLine configured, KernelParametersChange change,
                                    List<KernelParameterListEdit> listEdits, IommuRequirement requirement) {
        KernelCommandLine running = facts.commandLine();
        Set<String> names = new LinkedHashSet<>();
        List<KernelParameter> about = new ArrayList<>(change.set());
        about.addAll(change.remove());
        if (requirement != null) {
            about.addAll(requirement.parametersToSet());
            about.addAll(requirement.parametersToRemove());
        }
        for (KernelParameter p : about) names.add(p.name());
        for (KernelParameterListEdit e : listEdits) names.add(e.name());
        List<String> differing = new ArrayList<>();
        for (String name : names) {
            String now = running.all(name).stream().map(KernelParameter::toString).collect(Collectors.joining(" "));
            String next = configured.all(name).stream().map(KernelParameter::toString).collect(Collectors.joining(" "));
            if (!now.equals(next)) {
                differing.add((now.isEmpty() ? "no " + name : now) + " now, " + (next.isEmpty() ? "no " + name : next)
                        + " in the configuration");
            }
        }
        if (!differing.isEmpty()) {
            findings.add(Finding.info("RUNNING_LINE_DIFFERS", "the running kernel's command line differs from the one "
                    + writer.id() + " is configured to give the next boot (" + String.join("; ", differing) + "); this "
                    + "plan is judged on the configured line, which the next boot gets"));
        }
    }

    /**
     * Every function of the target's card (slot). Those outside the target's group are added to {@code reserved} (and
     * their groups to {@code groups}) when asked and when their group holds nothing but this card's functions (bridges
     * aside) and nothing the host cannot lose; otherwise a finding says why, and how to take them.
     */
    private List<CardFunction> wholeCard(PciDevice target, List<PciDevice> reserved, List<Integer> groups,
                                         boolean withSiblings, Set<PciAddress> named) {
        List<CardFunction> card = new ArrayList<>();
        java.util.Map<Integer, String> refusedGroups = new java.util.HashMap<>();
        for (PciDevice f : facts.devices()) {
            if (!f.address().sameSlot(target.address())) continue;
            if (!f.address().equals(target.address()) && named.contains(f.address())
                    && reserved.stream().noneMatch(r -> r.address().equals(f.address()))) {
                // a function of this card in another group, named with its own --device: its group comes with it
                card.add(new CardFunction(f.address().toString(), describeName(f), f.iommuGroup(), true,
                        "named with its own --device"));
                continue;
            }
            if (reserved.stream().anyMatch(r -> r.address().equals(f.address()))) {
                card.add(new CardFunction(f.address().toString(), describeName(f), f.iommuGroup(), true,
                        f.address().equals(target.address()) ? "the device asked for" : !facts.iommuActive()
                                ? "a function of the same slot (the IOMMU is off: groups are known after the reboot)"
                                : "in the same IOMMU group"));
                continue;
            }
            Integer id = f.iommuGroup();
            IommuGroup group = id == null ? null : facts.group(id).orElse(null);
            if (group == null) {
                card.add(new CardFunction(f.address().toString(), describeName(f), id, false, "it is in no IOMMU group"));
                findings.add(Finding.warning("CARD_FUNCTION_NOT_IN_A_GROUP", describe(f) + " is a function of the card "
                        + "but in no IOMMU group, so it cannot go to a VM with it", ""));
                continue;
            }
            List<PciDevice> groupDevices = facts.devicesOf(group).stream().filter(d -> !d.classCode().isPciBridge()).toList();
            List<PciDevice> foreign = groupDevices.stream().filter(d -> !d.address().sameSlot(target.address())).toList();
            List<PciDevice> critical = groupDevices.stream().filter(d -> facts.criticalDevices().containsKey(d.address())).toList();
            String why = null;
            if (!foreign.isEmpty()) {
                why = "its IOMMU group " + id + " also holds " + foreign.stream().map(Planner::describe)
                        .collect(Collectors.joining("; ")) + ", which the host would lose";
            } else if (!critical.isEmpty()) {
                why = "its IOMMU group " + id + " holds " + critical.stream().map(d -> describe(d) + ", which "
                        + facts.criticalDevices().get(d.address())).collect(Collectors.joining("; "));
            }
            if (why != null) {
                card.add(new CardFunction(f.address().toString(), describeName(f), id, false, "cannot be taken: " + why));
                if (refusedGroups.putIfAbsent(id, why) == null) {
                    findings.add(Finding.warning("CARD_FUNCTION_LEFT", describe(f) + " is a function of the card in another "
                            + "IOMMU group, and it cannot be taken with it: " + why + ". The VM gets the card without it",
                            "a GPU usually works without its audio function; to give it anyway, plan --device "
                                    + f.address().toShortString() + " --allow-shared-group separately"));
                }
                continue;
            }
            if (!withSiblings) {
                card.add(new CardFunction(f.address().toString(), describeName(f), id, false,
                        "in IOMMU group " + id + ", which holds only this card's functions: --with-siblings takes it"));
                findings.add(Finding.warning("CARD_FUNCTION_ELSEWHERE", describe(f) + " is a function of the same card in "
                        + "IOMMU group " + id + " (not the GPU's group " + target.iommuGroup() + "); that group holds "
                        + "nothing else, so it can go to the VM with the GPU", "plan again with --with-siblings to "
                        + "reserve the whole card"));
                continue;
            }
            for (PciDevice d : groupDevices) {
                if (reserved.stream().noneMatch(r -> r.address().equals(d.address()))) reserved.add(d);
            }
            if (!groups.contains(id)) groups.add(id);
            card.add(new CardFunction(f.address().toString(), describeName(f), id, true,
                    "--with-siblings: its IOMMU group " + id + " holds only this card's functions"));
        }
        return card;
    }

    private static String describeName(PciDevice d) {
        return d.className() + (d.displayName() == null ? "" : ": " + d.displayName());
    }

    /** The target's group; with the IOMMU off, the functions of the target's slot. */
    private List<PciDevice> members(PciDevice target) throws PlanRefusedException {
        if (!facts.iommuActive()) {
            return facts.devices().stream().filter(d -> d.address().sameSlot(target.address())).toList();
        }
        Integer id = target.iommuGroup();
        IommuGroup group = id == null ? null : facts.group(id).orElse(null);
        if (group == null) {
            throw new PlanRefusedException("NOT_IN_A_GROUP", target.address() + " belongs to no IOMMU group although the "
                    + "IOMMU is active; it cannot be isolated for a VM", null);
        }
        return facts.devicesOf(group);
    }

    private void safety(PciDevice target, List<PciDevice> reserved, PlanRequest request) throws PlanRefusedException {
        for (PciDevice d : reserved) {
            if (!UsbTopology.isUsbController(d)) continue;
            UsbController c = usb().behind(d.address()).orElse(null);
            if (c == null || !c.holdsRootDisk()) continue;
            List<String> disks = new ArrayList<>();
            for (UsbDevice u : c.devices()) {
                for (UsbDisk k : u.disks()) {
                    if (k.rootFilesystem()) disks.add(k.name() + " (" + u.displayName() + " on port " + u.port() + ")");
                }
            }
            String what = disks.isEmpty() ? "the root filesystem's disk" + (c.critical() == null ? "" : " (it "
                    + c.critical() + ")") : "the root filesystem's disk, " + String.join(", ", disks);
            throw new PlanRefusedException("USB_ROOT_DISK", (d.address().equals(target.address()) ? "--device "
                    + d.address().toShortString() : "the group of " + target.address().toShortString() + " holds "
                    + describe(d) + ", which") + " is the USB controller of " + what + "; reserving it would take / from the running "
                    + "host. This is never done: leave it out, or plug the devices the VM should have into another "
                    + "controller (`passthrough groups --usb` shows each controller and what hangs off it), or move the "
                    + "root filesystem to a disk that is not on this controller", null);
        }
        for (PciDevice d : reserved) {
            String why = facts.criticalDevices().get(d.address());
            if (why != null) {
                throw new PlanRefusedException("CRITICAL_DEVICE", "the group of " + target.address() + " holds "
                        + describe(d) + ", which " + why + "; reserving it would take it from the running host. This is "
                        + "never done: move the GPU to another slot (another group) or the root disk/NIC elsewhere", null);
            }
        }
        List<PciDevice> others = reserved.stream().filter(d -> !d.address().sameSlot(target.address())).toList();
        if (!others.isEmpty()) {
            String list = others.stream().map(Planner::describe).collect(Collectors.joining("; "));
            if (!request.allowSharedGroup()) {
                throw new PlanRefusedException("SHARED_GROUP", "the IOMMU group of " + target.address()
                        + " also holds devices of other slots, which the host would lose: " + list + ". Move the GPU to "
                        + "a slot with its own group, or pass --allow-shared-group to reserve them all", "--allow-shared-group");
            }
            findings.add(Finding.warning("SHARED_GROUP", "reserving devices of other slots; the host loses: " + list, ""));
        }
        List<PciDevice> bootGpus = reserved.stream().filter(PciDevice::bootVga).toList();
        if (!bootGpus.isEmpty()) {
            String list = bootGpus.stream().map(Planner::describe).collect(Collectors.joining("; "));
            if (!request.allowBootGpu()) {
                throw new PlanRefusedException("BOOT_GPU", list + " is the firmware's console GPU (boot_vga=1): reserving "
                        + "it leaves the host without a console screen and the boot framebuffer may hold its memory. Use "
                        + "another GPU for the host, or pass --allow-boot-gpu", "--allow-boot-gpu");
            }
            findings.add(Finding.warning("BOOT_GPU", "reserving the console GPU " + list + ": the host will have no "
                    + "display after the boot loader", "keep an SSH session or a second GPU for the host"));
        }
    }

    /** The host's USB topology, read once, and only when a plan takes a USB controller. */
    private UsbTopology usb() {
        if (usbTopology == null) {
            usbTopology = UsbTopology.read(root, facts);
            findings.addAll(usbTopology.problems());
        }
        return usbTopology;
    }

    /**
     * What the reserved USB controllers take from the host: each device hanging off them now, and, loudly, the host's
     * last keyboard. Nothing is said about a controller with nothing plugged in (a GPU's USB-C controller, usually).
     */
    private void usbControllers(List<PciDevice> reserved) {
        List<PciAddress> taken = reserved.stream().filter(UsbTopology::isUsbController).map(PciDevice::address).toList();
        if (taken.isEmpty()) return;
        List<String> lostKeyboards = new ArrayList<>();
        for (PciAddress a : taken) {
            UsbController c = usb().behind(a).orElse(null);
            if (c == null || c.devices().isEmpty()) continue;
            List<String> what = new ArrayList<>();
            for (UsbDevice u : c.devices()) {
                List<String> kinds = new ArrayList<>();
                if (u.hub()) kinds.add("hub");
                if (u.keyboard()) kinds.add("keyboard");
                if (u.mouse()) kinds.add("mouse");
                for (UsbDisk k : u.disks()) kinds.add("disk " + k.name() + ": unmount it before the reboot");
                what.add(u.displayName() + " on port " + u.port() + (kinds.isEmpty() ? "" : " (" + String.join("; ", kinds) + ")"));
                if (u.keyboard()) lostKeyboards.add(u.displayName() + " on " + a.toShortString());
            }
            findings.add(Finding.warning("USB_DEVICES_TAKEN", "the USB controller " + a.toShortString() + " goes to the VM "
                    + "with what hangs off it now, lost to the host from the next boot: " + String.join("; ", what),
                    "plug what the host needs into a controller it keeps (`passthrough groups --usb`)"));
        }
        if (lostKeyboards.isEmpty()) return;
        List<String> kept = usb().keyboardsKeptWithout(taken);
        List<String> others = usb().controllers().stream().filter(c -> !taken.contains(c.address()))
                .map(c -> c.address().toShortString()).toList();
        if (kept.isEmpty()) {
            findings.add(Finding.warning("ONLY_KEYBOARD", "the host loses its only keyboard: " + String.join("; ",
                    lostKeyboards) + " hangs off a USB controller this plan reserves, so from the next boot (the "
                    + "controller is reserved at boot, before any VM starts) nothing on the host can type",
                    "before you reboot, make sure you can get back in: ssh from another machine (test the login now), or "
                            + "plug another keyboard into a controller the host keeps" + (others.isEmpty() ? ""
                            : " (" + String.join(", ", others) + ")") + "; from there `passthrough rollback` undoes this"));
        } else {
            findings.add(Finding.warning("KEYBOARD_TAKEN", String.join("; ", lostKeyboards) + " goes to the VM with its "
                    + "USB controller; the host keeps " + String.join("; ", kept), ""));
        }
    }

    /** Another device with a reserved device's vendor:device would be taken too by ids: reserve by address. */
    private boolean identicalIdsElsewhere(List<PciDevice> reserved) {
        Set<PciId> ids = reserved.stream().map(PciDevice::id).collect(Collectors.toSet());
        Set<Object> mine = reserved.stream().map(PciDevice::address).collect(Collectors.toSet());
        List<PciDevice> twins = facts.devices().stream().filter(d -> ids.contains(d.id()) && !mine.contains(d.address())).toList();
        if (twins.isEmpty()) return false;
        findings.add(Finding.warning("IDENTICAL_IDS", twins.stream().map(Planner::describe).collect(Collectors.joining("; "))
                + " share" + (twins.size() == 1 ? "s" : "") + " vendor:device ids with the reserved devices: reserving by "
                + "ids would take " + (twins.size() == 1 ? "it" : "them") + " too, so the devices are reserved by address "
                + "(driver_override), and their ids are checked at boot so a card moved to another slot is never bound", ""));
        return true;
    }

    private BindingStrategy chooseBinding(String wanted) throws PlanRefusedException {
        List<BindingStrategy> all = plugins.bindings();
        if (all.isEmpty()) {
            throw new PlanRefusedException("NO_BINDING_PLUGIN", "no binding plugin is installed (vfio-pci, pci-stub); "
                    + "`passthrough plugins` shows what was loaded and what failed", null);
        }
        if (!wanted.equals("auto")) {
            BindingStrategy b = all.stream().filter(s -> s.id().equals(wanted)).findFirst().orElseThrow(() ->
                    new PlanRefusedException("NO_BINDING_PLUGIN", "binding '" + wanted + "' is not installed (installed: "
                            + all.stream().map(BindingStrategy::id).collect(Collectors.joining(", ")) + ")", null));
            if (!b.isAvailable(facts)) {
                throw new PlanRefusedException("BINDING_UNAVAILABLE", wanted + " is neither built into kernel "
                        + facts.kernelRelease() + " nor a loadable module; choose --binding auto or another", null);
            }
            return b;
        }
        List<BindingStrategy> candidates = autoCandidates();
        return candidates.stream().filter(b -> b.isAvailable(facts)).findFirst().orElseThrow(() -> new PlanRefusedException(
                "NO_BINDING", "no binding plugin can reserve devices on kernel " + facts.kernelRelease() + " ("
                        + candidates.stream().map(BindingStrategy::id).collect(Collectors.joining(", ")) + " cannot: "
                        + "neither built in nor a loadable module); build the kernel with CONFIG_VFIO_PCI", null));
    }

    /**
     * What --binding auto may choose, in order: the profile's bindings; without a profile's word vfio-pci, then
     * pci-stub (the seeds' answers), then any other loaded binding.
     */
    private List<BindingStrategy> autoCandidates() {
        List<String> order = plugins.autoBindings().isEmpty() ? DEFAULT_BINDING_ORDER : plugins.autoBindings();
        List<BindingStrategy> out = new ArrayList<>();
        for (String id : order) plugins.bindings().stream().filter(b -> b.id().equals(id)).findFirst().ifPresent(out::add);
        if (plugins.autoBindings().isEmpty()) {
            for (BindingStrategy b : plugins.bindings()) if (!out.contains(b)) out.add(b);
        }
        return out;
    }

    private static boolean hasErrors(Contribution c) {
        return c.findings().stream().anyMatch(f -> f.severity() == Severity.ERROR);
    }

    private static void refuseOnErrors(String plugin, Contribution c) throws PlanRefusedException {
        List<Finding> errors = c.findings().stream().filter(f -> f.severity() == Severity.ERROR).toList();
        if (!errors.isEmpty()) {
            Finding f = errors.get(0);
            throw new PlanRefusedException(f.code(), plugin + ": " + f.message() + (f.fix().isEmpty() ? "" : "; " + f.fix())
                    + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : ""), null);
        }
    }

    /**
     * A regenerating command (no undo) that two plugins both ask for runs once, at its last place: every file is written
     * before the first command, so an earlier run of the same command only produces what the later one produces again
     * (kernel-cmdline's and initramfs-tools' `proxmox-boot-tool refresh` on Proxmox VE: once, after update-initramfs).
     * A command with an undo changes state each time and is kept as often as asked.
     */
    static List<PlannedCommand> lastOfEachRegenerator(List<PlannedCommand> commands) {
        List<PlannedCommand> out = new ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            PlannedCommand c = commands.get(i);
            if (!c.undo().isRerun()) {
                out.add(c);
                continue;
            }
            boolean again = commands.subList(i + 1, commands.size()).stream()
                    .anyMatch(later -> later.undo().isRerun() && later.argv().equals(c.argv()));
            if (again) continue;
            // the reasons of its earlier places go with it, so the plan still says everything it is for
            List<String> reasons = new ArrayList<>();
            for (PlannedCommand earlier : commands.subList(0, i)) {
                if (earlier.undo().isRerun() && earlier.argv().equals(c.argv()) && !reasons.contains(earlier.reason())) {
                    reasons.add(earlier.reason());
                }
            }
            if (reasons.isEmpty()) {
                out.add(c);
            } else {
                reasons.add(c.reason());
                out.add(new PlannedCommand(c.argv(), String.join("; and ", reasons), c.plugin(), c.undo()));
            }
        }
        return out;
    }

    private void collect(String plugin, Contribution c, Map<String, PlannedFile> files, List<PlannedCommand> commands,
                         List<KernelParametersChange> commandLine, List<EarlyModulesChange> early) throws PlanRefusedException {
        for (Change change : c.changes()) {
            if (change instanceof FileChange f) {
                if (files.containsKey(f.path())) {
                    throw new PlanRefusedException("CONFLICTING_PLUGINS", plugin + " and " + files.get(f.path()).plugin()
                            + " both want to write " + f.path() + "; remove one of the plugins or report this", null);
                }
                PlannedFile planned = PlannedFiles.of(root, facts, plugin, f);
                if (planned != null) files.put(f.path(), planned);
            } else if (change instanceof CommandChange cmd) {
                commands.add(new PlannedCommand(cmd.argv(), cmd.reason(), plugin, passthrough.core.apply.UndoStep.of(cmd.undo())));
            } else if (change instanceof KernelParametersChange k) {
                commandLine.add(k);
            } else if (change instanceof EarlyModulesChange e) {
                early.add(e);
            }
        }
    }

    static KernelParametersChange merge(List<KernelParametersChange> changes) {
        List<KernelParameter> set = new ArrayList<>();
        List<KernelParameter> remove = new ArrayList<>();
        List<KernelParameterListEdit> lists = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (KernelParametersChange c : changes) {
            set.addAll(c.set());
            remove.addAll(c.remove());
            lists.addAll(c.listEdits());
            if (!reasons.contains(c.reason())) reasons.add(c.reason());
        }
        return new KernelParametersChange(set, remove, lists, String.join("; ", reasons));
    }

    private static EarlyModulesChange mergeModules(List<EarlyModulesChange> changes) {
        Set<String> modules = new LinkedHashSet<>();
        Set<String> extraFiles = new LinkedHashSet<>();
        for (EarlyModulesChange c : changes) {
            modules.addAll(c.modules());
            extraFiles.addAll(c.extraFiles());
        }
        return new EarlyModulesChange(List.copyOf(modules), List.copyOf(extraFiles),
                changes.stream().map(EarlyModulesChange::reason).distinct().collect(Collectors.joining("; ")));
    }

    private static String describe(KernelParametersChange c) {
        String set = c.set().stream().map(KernelParameter::toString).collect(Collectors.joining(" "));
        return c.remove().isEmpty() ? set : set + ", remove " + c.remove().stream().map(KernelParameter::toString)
                .collect(Collectors.joining(" "));
    }

    private static String describe(PciDevice d) {
        return d.address().toShortString() + " " + d.className() + " [" + d.id() + "] (driver "
                + (d.driver() == null ? "none" : d.driver()) + ")";
    }

    private static ReservedDevice reservedDevice(PciDevice d) {
        return new ReservedDevice(d.address().toString(), d.id().toString(), d.classCode().toString(), d.displayName(),
                d.driver());
    }
}
