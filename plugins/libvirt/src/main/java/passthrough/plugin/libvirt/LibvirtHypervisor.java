package passthrough.plugin.libvirt;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Pattern;
import org.pf4j.Extension;
import passthrough.api.Change;
import passthrough.api.CommandChange;
import passthrough.api.CommandUndo;
import passthrough.api.FileChange;
import passthrough.api.Finding;
import passthrough.api.HostFacts;
import passthrough.api.Hypervisor;
import passthrough.api.PluginSettings;
import passthrough.api.VmDefinition;
import passthrough.api.VmDisk;
import passthrough.api.VmFeature;
import passthrough.api.VmSpec;

/**
 * libvirt: the VM as a q35 domain document kept at {@code /etc/passthrough/vms/NAME.xml} and defined with
 * {@code virsh -c qemu:///system define} (libvirt then keeps its own copy in /etc/libvirt/qemu/NAME.xml). The domain
 * is described in {@link DomainXml} and docs/vm.md ("libvirt").
 *
 * <p>Needs {@code virsh} (Debian/Ubuntu: {@code libvirt-clients}, and the daemon {@code libvirt-daemon-system};
 * Fedora: {@code libvirt-client}, {@code libvirt-daemon-kvm}; Arch: {@code libvirt}).
 *
 * <p>Settings a distribution profile may give:
 * <ul>
 *   <li>{@code uri}: the libvirt connection URI virsh is run with (default {@code qemu:///system}).</li>
 *   <li>{@code firmwareAutoSelect}: {@code true} (default) lets libvirt choose OVMF from the QEMU firmware descriptors
 *       ({@code <os firmware='efi'>} with {@code <firmware><feature enabled='no' name='secure-boot'/>}), which needs
 *       libvirt 5.2 or newer (the feature list 7.2; older releases ignore it); {@code false} names the firmware the
 *       core chose ({@code <loader readonly='yes' type='pflash'>CODE</loader><nvram template='VARS'/>}, libvirt
 *       1.2.9+). A profile for a libvirt older than 5.2 — Ubuntu 18.04's libvirt 4.0 — must set it to false: such a
 *       libvirt does not know {@code firmware='efi'}, and the domain would get no UEFI firmware at all.</li>
 * </ul>
 *
 * <p>define: a FileChange for the document (a disk to create is the core's {@code qemu-img create}, before it), then
 * {@code virsh define}, undone by {@code virsh undefine --nvram NAME} for a
 * new domain and by defining the restored document again when it replaces one passthrough defined before. A domain of
 * that name that passthrough did not define is refused: a rollback could not bring it back. remove: delete the
 * document and {@code virsh undefine --nvram NAME}, undone by {@code virsh define} of the restored document.
 */
@Extension
public class LibvirtHypervisor implements Hypervisor {

    static final String URI = "uri";
    static final String FIRMWARE_AUTO_SELECT = "firmwareAutoSelect";
    static final String DEFAULT_URI = "qemu:///system";
    /** libvirt's persistent domain configurations (virDomainDefSave), one NAME.xml per domain. */
    static final String LIBVIRT_CONFIGS = "etc/libvirt/qemu/";
    static final String DOCUMENTS = "etc/passthrough/vms/";

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");

    private final String uri;
    private final boolean firmwareAutoSelect;

    public LibvirtHypervisor() {
        this(DEFAULT_URI, true);
    }

    LibvirtHypervisor(String uri, boolean firmwareAutoSelect) {
        this.uri = uri;
        this.firmwareAutoSelect = firmwareAutoSelect;
    }

    @Override
    public String id() {
        return "libvirt";
    }

    @Override
    public List<String> hostFiles() {
        return List.of(LIBVIRT_CONFIGS + "*.xml", DOCUMENTS + "*.xml");
    }

    @Override
    public List<String> hostCommands() {
        return List.of("virsh");
    }

    @Override
    public Set<String> settingNames() {
        return Set.of(URI, FIRMWARE_AUTO_SELECT);
    }

    @Override
    public Hypervisor withSettings(PluginSettings settings) {
        String u = settings.value(URI).map(String::strip).orElse(uri);
        if (u.isEmpty() || u.chars().anyMatch(c -> c <= 0x20)) {
            throw new IllegalArgumentException("libvirt setting " + URI + ": '" + u + "' is not a libvirt URI "
                    + "(e.g. qemu:///system)");
        }
        boolean auto = firmwareAutoSelect;
        Optional<String> a = settings.value(FIRMWARE_AUTO_SELECT).map(String::strip);
        if (a.isPresent()) {
            if (!a.get().equals("true") && !a.get().equals("false")) {
                throw new IllegalArgumentException("libvirt setting " + FIRMWARE_AUTO_SELECT + ": '" + a.get()
                        + "' is neither true nor false");
            }
            auto = a.get().equals("true");
        }
        return new LibvirtHypervisor(u, auto);
    }

    @Override
    public List<String> missingCommands(HostFacts facts) {
        return facts.hasCommand("virsh") ? List.of() : List.of("virsh");
    }

    /** The names in libvirt's persistent configurations; a file without a readable name counts by its file name. */
    @Override
    public List<String> definedVms(HostFacts facts) {
        Set<String> names = new TreeSet<>();
        for (Map.Entry<String, String> e : facts.files().entrySet()) {
            String path = e.getKey();
            if (!isLibvirtConfig(path)) continue;
            names.add(DomainConfig.parse(e.getValue()).map(DomainConfig::name)
                    .orElse(path.substring(LIBVIRT_CONFIGS.length(), path.length() - ".xml".length())));
        }
        return List.copyOf(names);
    }

    private static boolean isLibvirtConfig(String path) {
        return path.startsWith(LIBVIRT_CONFIGS) && path.endsWith(".xml") && path.indexOf('/', LIBVIRT_CONFIGS.length()) < 0;
    }

    @Override
    public String documentPath(String name) {
        return DOCUMENTS + checkedName(name) + ".xml";
    }

    @Override
    public VmDefinition define(HostFacts facts, VmSpec vm, List<VmFeature> features) {
        String name = checkedName(vm.name());
        String path = documentPath(name);
        Optional<DomainConfig> existing = libvirtConfig(facts, name);
        boolean ours = definedByPassthrough(facts, name);
        String uuid = existing.flatMap(DomainConfig::uuid).orElse(nameUuid(name));
        // no name or URI in the comment: a name may hold "--", which no XML comment can
        String header = "written by passthrough vm create and defined with virsh define; libvirt keeps its own copy "
                + "(/etc/libvirt/qemu), which virsh edit changes";
        String document = DomainXml.render(vm, features, firmwareAutoSelect, uuid, header);

        List<Finding> findings = new ArrayList<>();
        List<Change> changes = new ArrayList<>();
        if (existing.isPresent() && !ours) {
            findings.add(Finding.error("LIBVIRT_DOMAIN_NOT_OURS", "libvirt already has a domain named " + name + " ("
                    + LIBVIRT_CONFIGS + name + ".xml) that passthrough did not define: replacing it could not be "
                    + "rolled back", "choose another name, or keep a copy (virsh dumpxml " + name + " > " + name
                    + ".xml) and remove it yourself (virsh undefine --nvram " + name + ")"));
            return new VmDefinition(path, document, List.of(), findings);
        }
        changes.add(new FileChange(path, document, "the definition of the libvirt domain " + name));
        // a disk to create (VmDisk.createBytes) is created by the core's qemu-img command before this define
        // replacing a domain passthrough defined: the restored document redefines the old one; else undefine
        CommandUndo undo = existing.isPresent()
                ? CommandUndo.rerun()
                : CommandUndo.run("virsh", "-c", uri, "undefine", "--nvram", name);
        changes.add(new CommandChange(List.of("virsh", "-c", uri, "define", "/" + path),
                existing.isPresent() ? "replace the libvirt domain " + name + " with this definition"
                        : "define the libvirt domain " + name, undo));

        findings.add(Finding.info("LIBVIRT_FIRMWARE", !vm.uefi() ? "QEMU's default BIOS (SeaBIOS)" : firmwareAutoSelect
                ? "UEFI: libvirt chooses OVMF from the QEMU firmware descriptors (/usr/share/qemu/firmware), Secure Boot "
                        + (vm.firmware().secureBoot() ? "on" : "off") + "; the VM's variables go to "
                        + "/var/lib/libvirt/qemu/nvram/" + name + "_VARS.fd"
                : "UEFI: " + vm.firmware().code() + " with a copy of " + vm.firmware().varsTemplate()
                        + " in /var/lib/libvirt/qemu/nvram/" + name + "_VARS.fd"));
        String start = "start it with: virsh -c " + uri + " start " + name;
        if (vm.graphics() == VmSpec.Graphics.SPICE) start += "; watch it in a small window: virt-viewer -c " + uri + " " + name;
        else if (vm.serialLog() == null) start += "; its serial console: virsh -c " + uri + " console " + name;
        if (vm.serialLog() != null) start += "; its serial console is written to " + vm.serialLog();
        findings.add(Finding.info("LIBVIRT_START", start));
        return new VmDefinition(path, document, findings.stream().anyMatch(f -> f.severity() == passthrough.api.Severity.ERROR)
                ? List.of() : changes, findings);
    }

    @Override
    public List<Change> remove(HostFacts facts, String name) {
        String path = documentPath(name);
        return List.of(
                FileChange.delete(path, "the definition passthrough kept for the libvirt domain " + name),
                new CommandChange(List.of("virsh", "-c", uri, "undefine", "--nvram", name),
                        "undefine the libvirt domain " + name + " and delete its UEFI variables (a running domain keeps "
                                + "running until it is shut down)",
                        CommandUndo.run("virsh", "-c", uri, "define", "/" + path)));
    }

    private static Optional<DomainConfig> libvirtConfig(HostFacts facts, String name) {
        Optional<DomainConfig> direct = facts.file(LIBVIRT_CONFIGS + name + ".xml").flatMap(DomainConfig::parse)
                .filter(c -> c.name().equals(name));
        if (direct.isPresent()) return direct;
        return facts.files().entrySet().stream().filter(e -> isLibvirtConfig(e.getKey()))
                .map(e -> DomainConfig.parse(e.getValue())).flatMap(Optional::stream)
                .filter(c -> c.name().equals(name)).findFirst()
                .or(() -> facts.file(LIBVIRT_CONFIGS + name + ".xml").map(t -> new DomainConfig(name, Optional.empty())));
    }

    /**
     * A uuid from the name (RFC 4122 version 3 of "passthrough/libvirt/NAME"), so the document always carries one and
     * redefining it after a rollback matches the domain libvirt has (libvirt refuses a same-named domain with another
     * uuid); an existing domain's own uuid wins.
     */
    static String nameUuid(String name) {
        return UUID.nameUUIDFromBytes(("passthrough/libvirt/" + name).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static String checkedName(String name) {
        if (name == null || !NAME.matcher(name).matches() || name.startsWith(".") || name.startsWith("-")) {
            throw new IllegalArgumentException("'" + name + "' cannot be a libvirt domain and file name: use letters, "
                    + "digits, '.', '_' and '-', not first '.' or '-'");
        }
        return name;
    }
}
