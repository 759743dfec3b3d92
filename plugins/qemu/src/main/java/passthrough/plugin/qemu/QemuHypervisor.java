package passthrough.plugin.qemu;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pf4j.Extension;
import passthrough.api.Change;
import passthrough.api.CommandChange;
import passthrough.api.CommandUndo;
import passthrough.api.FileChange;
import passthrough.api.Finding;
import passthrough.api.HostFacts;
import passthrough.api.Hypervisor;
import passthrough.api.Severity;
import passthrough.api.VmDefinition;
import passthrough.api.VmDisk;
import passthrough.api.VmFeature;
import passthrough.api.VmNetwork;
import passthrough.api.VmSpec;

/**
 * QEMU alone: an executable launch script per VM in {@code /etc/passthrough/vms/NAME.sh} (see {@link LaunchScript}),
 * in the spirit of seed 2's hand-typed qemu-system-x86_64 line, with the checks and the vfio-pci hand-over a user
 * would otherwise do by hand. The VM's own OVMF variables are {@code /var/lib/passthrough/vms/NAME/OVMF_VARS.fd}.
 *
 * <p>Needs {@code qemu-system-x86_64}: Debian/Ubuntu package {@code qemu-system-x86}, Fedora {@code qemu-kvm}
 * (or {@code qemu-system-x86}), Arch {@code qemu-full} (or {@code qemu-base}). A disk to create needs {@code qemu-img}
 * (Debian/Ubuntu {@code qemu-utils}, Fedora and Arch {@code qemu-img}); a bridge needs QEMU's setuid
 * {@code qemu-bridge-helper} (shipped with QEMU) and an {@code allow BRIDGE} line in /etc/qemu/bridge.conf.
 *
 * <p>{@code define} installs the script and, for a VM new to passthrough, the variables: {@code install -d -m 0700}
 * of its directory and a copy of the template that never overwrites an existing copy (an earlier VM of that name
 * whose variables {@code vm remove} kept). Rollback removes the copy only while it is still byte-identical to the
 * template (nothing the guest stored), and the directory only when empty: never the user's data. {@code remove}
 * deletes the script and keeps the variables (the guest's boot entries and Secure Boot keys), saying where.
 */
@Extension
public class QemuHypervisor implements Hypervisor {

    static final String DOCUMENTS = "etc/passthrough/vms/";
    static final String BRIDGE_CONF = "etc/qemu/bridge.conf";
    static final String QEMU = "qemu-system-x86_64";
    static final String QEMU_PACKAGES = "Debian/Ubuntu: qemu-system-x86; Fedora: qemu-kvm; Arch: qemu-full";
    /** SPICE ports from here on, one per VM; libvirt's autoport takes 5900 up, so the first thirty stay libvirt's. */
    static final int FIRST_SPICE_PORT = 5930;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern SPICE_PORT = Pattern.compile("^  -spice port=(\\d+),", Pattern.MULTILINE);

    @Override
    public String id() {
        return "qemu";
    }

    @Override
    public List<String> hostFiles() {
        return List.of(DOCUMENTS + "*.sh", BRIDGE_CONF);
    }

    @Override
    public List<String> hostCommands() {
        return List.of(QEMU);
    }

    /** qemu-system-x86_64 ({@value #QEMU_PACKAGES}). */
    @Override
    public List<String> missingCommands(HostFacts facts) {
        return facts.hasCommand(QEMU) ? List.of() : List.of(QEMU);
    }

    /** The VMs whose scripts this plugin wrote: *.sh in etc/passthrough/vms with the marker line after the shebang. */
    @Override
    public List<String> definedVms(HostFacts facts) {
        Set<String> names = new TreeSet<>();
        for (Map.Entry<String, String> e : facts.files().entrySet()) {
            String path = e.getKey();
            if (!path.startsWith(DOCUMENTS) || !path.endsWith(".sh") || path.indexOf('/', DOCUMENTS.length()) >= 0) continue;
            String name = path.substring(DOCUMENTS.length(), path.length() - ".sh".length());
            if (isOurs(e.getValue(), name)) names.add(name);
        }
        return List.copyOf(names);
    }

    @Override
    public boolean definedByPassthrough(HostFacts facts, String name) {
        return facts.file(documentPath(name)).filter(text -> isOurs(text, name)).isPresent();
    }

    static boolean isOurs(String script, String name) {
        return script.lines().skip(1).findFirst().filter(l -> l.equals(LaunchScript.MARKER + name)).isPresent();
    }

    @Override
    public String documentPath(String name) {
        return DOCUMENTS + checkedName(name) + ".sh";
    }

    @Override
    public VmDefinition define(HostFacts facts, VmSpec vm, List<VmFeature> features) {
        String name = checkedName(vm.name());
        String path = documentPath(name);
        Optional<String> existing = facts.file(path);
        boolean ours = existing.filter(t -> isOurs(t, name)).isPresent();
        int port = spicePort(facts, name);
        LaunchScript.Rendered rendered = LaunchScript.render(vm, features, port, mac(name));
        String script = rendered.script();

        List<Finding> findings = new ArrayList<>();
        List<Change> changes = new ArrayList<>();
        if (existing.isPresent() && !ours) {
            findings.add(Finding.error("QEMU_SCRIPT_NOT_OURS", "/" + path + " exists and passthrough did not write it "
                    + "(its second line is not '" + LaunchScript.MARKER + name + "'): replacing it would lose it",
                    "choose another name, or move the file away yourself"));
            return new VmDefinition(path, script, List.of(), findings);
        }
        changes.add(new FileChange(path, script, "the launch script of the VM " + name + " (run it as root to start the VM)",
                true));
        String vars = LaunchScript.varsPath(name);
        String varsDir = LaunchScript.STATE_DIR + "/" + name;
        if (!vm.uefi()) {
            findings.add(Finding.info("QEMU_FIRMWARE", "QEMU's default BIOS (SeaBIOS): no firmware variables"));
        } else {
            String template = vm.firmware().varsTemplate();
            if (!ours) {
                changes.add(new CommandChange(List.of("install", "-d", "-m", "0700", varsDir),
                        "the directory of the VM's own firmware variables (root only)",
                        CommandUndo.run("rmdir", "--ignore-fail-on-non-empty", varsDir)));
                // sh -c with the paths as arguments, never inside the program text: no quoting of paths is involved
                changes.add(new CommandChange(List.of("sh", "-c", "test -e \"$2\" || cp -- \"$1\" \"$2\"", "sh", template, vars),
                        "the VM's own copy of the OVMF variables " + template + " (an existing copy, kept from an earlier VM "
                                + "of this name, is used as it is)",
                        CommandUndo.run("sh", "-c", "if cmp -s -- \"$1\" \"$2\"; then rm -f -- \"$2\"; fi", "sh", template, vars)));
                findings.add(Finding.info("QEMU_FIRMWARE", "UEFI: " + vm.firmware().code() + " (read-only) with the VM's own "
                        + "copy of " + template + " in " + vars + (vm.firmware().secureBoot() ? "; Secure Boot on (SMM)" : "")));
            } else {
                findings.add(Finding.info("QEMU_FIRMWARE", "UEFI: " + vm.firmware().code() + "; the VM keeps its firmware "
                        + "variables in " + vars + " (the script makes them from " + template + " if they are gone)"));
            }
        }
        // a disk to create (VmDisk.createBytes) is the core's qemu-img create, before these changes
        if (vm.network().kind() == VmNetwork.Kind.BRIDGE) findings.add(bridgeFinding(facts, vm.network().bridge()));
        findings.addAll(rendered.notes());
        String start = "start it as root with: /" + path + " (QEMU runs in the foreground; the functions the script "
                + "moved to vfio-pci go back when it exits)";
        if (vm.graphics() == VmSpec.Graphics.SPICE) start += "; watch it with: remote-viewer spice://127.0.0.1:" + port;
        start += vm.serialLog() != null ? "; its serial console is written to " + vm.serialLog()
                : "; its serial console and QEMU's monitor are on that terminal (Ctrl-a x quits QEMU)";
        findings.add(Finding.info("QEMU_START", start));
        boolean refused = findings.stream().anyMatch(f -> f.severity() == Severity.ERROR);
        return new VmDefinition(path, script, refused ? List.of() : changes, findings);
    }

    /**
     * qemu-bridge-helper refuses a bridge that /etc/qemu/bridge.conf does not allow ("access denied by acl file"); the
     * file's lines are {@code allow BR}, {@code allow all}, {@code deny …} and {@code include FILE} (qemu-bridge-helper.c).
     */
    static Finding bridgeFinding(HostFacts facts, String bridge) {
        String need = "the bridge " + bridge + " goes through QEMU's setuid qemu-bridge-helper, which needs "
                + "'allow " + bridge + "' in /etc/qemu/bridge.conf";
        Optional<String> conf = facts.file(BRIDGE_CONF);
        if (conf.isEmpty()) {
            return Finding.warning("QEMU_BRIDGE_NOT_ALLOWED", need + ", and there is no /etc/qemu/bridge.conf",
                    "create it with the line: allow " + bridge + " (mode 0644, owned by root)");
        }
        boolean allowed = false;
        boolean include = false;
        for (String raw : conf.get().split("\n")) {
            String[] w = raw.strip().split("\\s+");
            if (w.length < 2) continue;
            if (w[0].equals("allow") && (w[1].equals(bridge) || w[1].equals("all"))) allowed = true;
            if (w[0].equals("deny") && (w[1].equals(bridge) || w[1].equals("all"))) allowed = false;
            if (w[0].equals("include")) include = true;
        }
        if (allowed) return Finding.info("QEMU_BRIDGE", need + "; it does");
        if (include) {
            return Finding.warning("QEMU_BRIDGE_NOT_ALLOWED", need + "; it does not say so itself and includes other "
                    + "files passthrough does not read", "check that one of them has: allow " + bridge);
        }
        return Finding.warning("QEMU_BRIDGE_NOT_ALLOWED", need + ", which does not allow it",
                "add the line: allow " + bridge + " to /etc/qemu/bridge.conf");
    }

    @Override
    public List<Change> remove(HostFacts facts, String name) {
        String path = documentPath(name);
        String dir = LaunchScript.STATE_DIR + "/" + name + "/";
        return List.of(FileChange.delete(path, "the launch script of the VM " + name + "; its firmware variables in " + dir
                + " are kept (the guest's boot entries and Secure Boot keys live there): delete that directory yourself "
                + "when you no longer want them, or create the VM again to use them"));
    }

    /** This VM's port when its script has one, else the first from {@value #FIRST_SPICE_PORT} no other script uses. */
    static int spicePort(HostFacts facts, String name) {
        Set<Integer> taken = new TreeSet<>();
        Integer own = null;
        for (Map.Entry<String, String> e : facts.files().entrySet()) {
            String path = e.getKey();
            if (!path.startsWith(DOCUMENTS) || !path.endsWith(".sh")) continue;
            Matcher m = SPICE_PORT.matcher(e.getValue());
            if (!m.find()) continue;
            int port = Integer.parseInt(m.group(1));
            if (path.equals(DOCUMENTS + name + ".sh")) own = port;
            else taken.add(port);
        }
        if (own != null && !taken.contains(own)) return own;
        int port = FIRST_SPICE_PORT;
        while (taken.contains(port)) port++;
        return port;
    }

    /** A locally administered MAC in QEMU's 52:54:00 range from the VM's name, so it stays the same when rewritten. */
    static String mac(String name) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(("passthrough/qemu/" + name).getBytes(StandardCharsets.UTF_8));
            return String.format("52:54:00:%02x:%02x:%02x", h[0] & 0xff, h[1] & 0xff, h[2] & 0xff);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static String checkedName(String name) {
        if (name == null || !NAME.matcher(name).matches() || name.startsWith(".") || name.startsWith("-")) {
            throw new IllegalArgumentException("'" + name + "' cannot be a VM and file name: use letters, digits, '.', '_' "
                    + "and '-', not first '.' or '-'");
        }
        return name;
    }
}
