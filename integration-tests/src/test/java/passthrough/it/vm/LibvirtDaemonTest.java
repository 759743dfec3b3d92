package passthrough.it.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import passthrough.it.vm.QemuArgv.Function;
import passthrough.it.vm.QemuArgv.Normalized;

/**
 * The libvirt plugin's golden domains on a real libvirt daemon (Debian libvirt-daemon-system): {@code virsh define},
 * {@code virsh dumpxml} must keep every hostdev's host and guest address and every root port, then
 * {@code virsh domxml-to-native qemu-argv --domain NAME} must give QEMU the functions at the guest addresses of the
 * shared conventions, the firmware and the quirks' properties (through {@link QemuArgv}), then {@code virsh undefine
 * --nvram}. The argv of each is saved in target/libvirt-argv/ for the cross-check with the qemu plugin's script.
 *
 * <p>The daemon: a running system libvirtd answering {@code qemu:///system} is used as it is; else (CI: no systemd)
 * the test starts {@code /usr/sbin/libvirtd} itself with a private configuration whose only socket is in a temporary
 * directory (no TCP, no TLS) and stops it after ({@code qemu:///system?socket=…}). The QEMU driver's state and
 * configuration directories are the system's (a privileged libvirtd has no option to move them), so the test's
 * domains get names of their own ({@code passthrough-it-NAME-PID}) and fresh uuids, and are undefined after.
 * Needs root (a privileged daemon; CI runs as root).
 *
 * <p>What the goldens' host devices need: nothing at define, dumpxml or domxml-to-native (managed hostdevs are
 * detached from the host only at start). The one condition was libvirt's backend choice: with the default backend
 * domxml-to-native fails with "invalid PCI passthrough type 'default'" on a host without an IOMMU, which is why the
 * plugin names {@code <driver name='vfio'/>}. A host without /dev/kvm (this CI machine) refuses {@code type='kvm'}
 * at define ("Emulator … does not support virt type 'kvm'"): there the KVM goldens are defined with the same
 * structure as TCG domains (type='qemu', {@code <cpu mode='maximum'>} for host-passthrough), which changes -accel and
 * the -cpu model and nothing the comparison looks at otherwise.
 *
 * <p>Skipped with the reason on a developer's machine without the packages or root; failed in CI (PASSTHROUGH_CI=1).
 */
class LibvirtDaemonTest {

    static final Path REPO = Path.of(System.getProperty("passthrough.repo", ".."));
    static final Path GOLDEN = REPO.resolve("plugins/libvirt/src/test/resources/golden");
    static final Path ARGV_OUT = Path.of("target/libvirt-argv");
    static final boolean KVM = Files.exists(Path.of("/dev/kvm"));

    static Path daemonDir;
    static Process daemon;
    static String uri;

    /** What each golden must become on QEMU's command line. */
    record Expected(String file, List<Function> functions, String firstPflash, Map<String, String> cpu,
                    Map<String, String> machine, Map<String, String> fwCfg, Map<String, String> spice, boolean kvm) {
    }

    static Stream<Expected> goldens() {
        String kvmModel = KVM ? "host" : "max";
        return Stream.of(
                new Expected("seed1-gtx1660.xml", QemuArgvTest.SEED1_FUNCTIONS, "/usr/share/OVMF/OVMF_CODE.fd",
                        Map.of("model", kvmModel, "kvm", "off", "hv-vendor-id", "passthrough"), Map.of("kernel-irqchip", "on"),
                        Map.of(), Map.of("agent-mouse", "off"), true),
                new Expected("tcg-direct-boot.xml", List.of(new Function("0000:00:04.0", 1, 0x10, 0, 0, false, null)), null,
                        Map.of("model", "max"), Map.of(), Map.of(), Map.of(), false),
                new Expected("large-bar.xml", List.of(new Function("0000:82:00.0", 1, 0x10, 0, 0, false, "0")), null,
                        Map.of("model", kvmModel, "host-phys-bits", "on"), Map.of(),
                        Map.of("opt/ovmf/X-PciMmio64Mb", "65536"), Map.of(), true));
    }

    @BeforeAll
    static void daemon() throws Exception {
        for (String tool : List.of("/usr/sbin/libvirtd", "/usr/bin/virsh", "/usr/bin/qemu-system-x86_64")) {
            required(Files.isExecutable(Path.of(tool)), tool + " is not installed: apt-get install -y --no-install-recommends "
                    + "libvirt-daemon-system libvirt-clients qemu-system-x86 ovmf (.ci/run installs them)");
        }
        required(!firmwareCodes().isEmpty(), "no UEFI firmware descriptor for x86_64 in /usr/share/qemu/firmware: "
                + "apt-get install -y --no-install-recommends ovmf");
        required("root".equals(System.getProperty("user.name")), "a privileged libvirtd needs root (CI runs as root)");
        if (virsh("qemu:///system", "uri").exit == 0) {
            uri = "qemu:///system";
            System.out.println("LibvirtDaemonTest: using the running libvirtd at qemu:///system");
            return;
        }
        daemonDir = Files.createTempDirectory(Path.of("/tmp"), "pt-libvirtd");
        Path conf = daemonDir.resolve("libvirtd.conf");
        Files.writeString(conf, "unix_sock_dir = \"" + daemonDir + "\"\nlisten_tls = 0\nlisten_tcp = 0\n"
                + "auth_unix_rw = \"none\"\nauth_unix_ro = \"none\"\nlog_outputs = \"3:file:" + daemonDir + "/libvirtd.log\"\n");
        daemon = new ProcessBuilder("/usr/sbin/libvirtd", "-f", conf.toString(), "-p", daemonDir.resolve("libvirtd.pid").toString())
                .redirectErrorStream(true).redirectOutput(daemonDir.resolve("stdout.log").toFile()).start();
        uri = "qemu:///system?socket=" + daemonDir.resolve("libvirt-sock");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Result last = null;
        while (System.nanoTime() < deadline && daemon.isAlive()) {
            if (Files.exists(daemonDir.resolve("libvirt-sock")) && (last = virsh(uri, "uri")).exit == 0) return;
            Thread.sleep(200);
        }
        String log = Files.exists(daemonDir.resolve("libvirtd.log")) ? Files.readString(daemonDir.resolve("libvirtd.log")) : "";
        throw new AssertionError("libvirtd did not answer at " + uri + " within 60 s (alive: " + daemon.isAlive() + "; "
                + (last == null ? "no socket" : last.output) + "):\n" + Files.readString(daemonDir.resolve("stdout.log")) + log);
    }

    @AfterAll
    static void stopDaemon() throws Exception {
        if (daemon == null) return;
        daemon.destroy();
        if (!daemon.waitFor(30, TimeUnit.SECONDS)) {
            daemon.destroyForcibly();
            daemon.waitFor(10, TimeUnit.SECONDS);
        }
        try (Stream<Path> files = Files.walk(daemonDir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldens")
    void definedDumpedAndTurnedIntoQemuArguments(Expected expected) throws Exception {
        String golden = Files.readString(GOLDEN.resolve(expected.file()), StandardCharsets.UTF_8);
        String name = "passthrough-it-" + expected.file().replace(".xml", "") + "-" + ProcessHandle.current().pid();
        required(!Files.exists(Path.of("/etc/libvirt/qemu/" + name + ".xml")), "/etc/libvirt/qemu/" + name + ".xml exists");
        String xml = golden.replaceFirst("<name>[^<]*</name>", "<name>" + name + "</name>")
                .replaceFirst("<uuid>[^<]*</uuid>", "<uuid>" + UUID.randomUUID() + "</uuid>");
        if (expected.kvm() && !KVM) {
            // same structure as a TCG domain: this machine's QEMU cannot do type='kvm' (no /dev/kvm)
            xml = xml.replace("<domain type='kvm'", "<domain type='qemu'").replace("<cpu mode='host-passthrough'",
                    "<cpu mode='maximum'");
        }
        Path file = Files.createTempFile("pt-domain", ".xml");
        try {
            Files.writeString(file, xml, StandardCharsets.UTF_8);
            Result define = virsh(uri, "define", file.toString());
            assertEquals(0, define.exit, "virsh define " + expected.file() + ":\n" + define.output + daemonLog());
            try {
                Result dump = virsh(uri, "dumpxml", name);
                assertEquals(0, dump.exit, dump.output);
                assertEquals(passthroughDevices(golden), passthroughDevices(dump.output),
                        "virsh dumpxml changed the root ports or host devices of " + expected.file());
                if (!expected.fwCfg().isEmpty()) assertTrue(dump.output.contains("X-PciMmio64Mb"), dump.output);

                Result native_ = virsh(uri, "domxml-to-native", "qemu-argv", "--domain", name);
                assertEquals(0, native_.exit, "virsh domxml-to-native qemu-argv --domain " + name + ":\n" + native_.output
                        + daemonLog());
                Files.createDirectories(ARGV_OUT);
                Files.writeString(ARGV_OUT.resolve(expected.file().replace(".xml", ".argv")), native_.output);
                Normalized n = QemuArgv.ofShell(native_.output.strip());
                assertEquals(expected.functions(), n.functions(), native_.output);
                assertEquals("q35", n.machineType());
                assertEquals(expected.kvm() && KVM ? "kvm" : "tcg", n.accel());
                assertEquals(expected.cpu(), n.cpu(), native_.output);
                assertEquals(expected.machine(), n.machine(), native_.output);
                assertEquals(expected.fwCfg(), n.fwCfg(), native_.output);
                assertEquals(expected.spice(), n.spice(), native_.output);
                assertEquals(2, n.pflash().size(), "code and variables: " + n.pflash());
                assertTrue(n.pflash().get(0).readOnly() && !n.pflash().get(1).readOnly(), n.pflash().toString());
                if (expected.firstPflash() != null) assertEquals(expected.firstPflash(), n.pflash().get(0).file());
                else assertTrue(firmwareCodes().contains(n.pflash().get(0).file()), "libvirt's choice " + n.pflash().get(0)
                        + " is not a non-secure-boot x86_64 descriptor's code: " + firmwareCodes());
                assertEquals("/var/lib/libvirt/qemu/nvram/" + name + "_VARS.fd", n.pflash().get(1).file());
            } finally {
                Result undefine = virsh(uri, "undefine", "--nvram", name);
                assertEquals(0, undefine.exit, "virsh undefine --nvram " + name + ":\n" + undefine.output);
            }
            assertTrue(!Files.exists(Path.of("/etc/libvirt/qemu/" + name + ".xml")), "undefine left libvirt's config");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * The undo commands of the plugin's changes, run for real: a new domain's define is undone by its undefine; a
     * redefinition (same name, more memory) replaces the domain because the document carries the existing uuid, and
     * the rollback's rerun against the restored document brings the old one back; a document with another uuid is
     * refused by libvirt (why the uuid is kept); remove's undefine is undone by defining the restored document. The
     * plugin is configured with this test's URI (its {@code uri} setting); the document path in the define command is
     * replaced by a temporary copy, the test writing nothing under /etc/passthrough.
     */
    @org.junit.jupiter.api.Test
    void theUndoOfEachChangeWorksOnTheRealDaemon() throws Exception {
        String name = "passthrough-it-undo-" + ProcessHandle.current().pid();
        required(!Files.exists(Path.of("/etc/libvirt/qemu/" + name + ".xml")), "/etc/libvirt/qemu/" + name + ".xml exists");
        passthrough.api.Hypervisor libvirt = new passthrough.plugin.libvirt.LibvirtHypervisor()
                .withSettings(new passthrough.api.PluginSettings(Map.of("uri", uri)));
        passthrough.api.HostFacts none = passthrough.api.HostFacts.builder().commands(Set.of("virsh")).build();
        passthrough.api.VmDefinition first = libvirt.define(none, vm(name, 512), List.of());
        passthrough.api.CommandChange define = (passthrough.api.CommandChange) first.changes().get(first.changes().size() - 1);
        assertEquals(passthrough.api.CommandUndo.run("virsh", "-c", uri, "undefine", "--nvram", name), define.undo());
        Path doc1 = Files.createTempFile("pt-doc1", ".xml");
        Path doc2 = Files.createTempFile("pt-doc2", ".xml");
        try {
            Files.writeString(doc1, first.document());
            assertEquals(0, run(withDocument(define.argv(), doc1)).exit);
            assertEquals(0, run(((passthrough.api.CommandUndo.Run) define.undo()).argv()).exit, "undo of a new define");
            assertEquals(1, virsh(uri, "dominfo", name).exit, "undefined by the undo");
            assertEquals(0, run(withDocument(define.argv(), doc1)).exit);

            // replace: the facts now show libvirt's config of the domain and passthrough's document
            passthrough.api.HostFacts defined = passthrough.api.HostFacts.builder().commands(Set.of("virsh")).files(Map.of(
                    "etc/libvirt/qemu/" + name + ".xml", Files.readString(Path.of("/etc/libvirt/qemu/" + name + ".xml")),
                    "etc/passthrough/vms/" + name + ".xml", first.document())).build();
            passthrough.api.VmDefinition second = libvirt.define(defined, vm(name, 768), List.of());
            passthrough.api.CommandChange redefine = (passthrough.api.CommandChange) second.changes().get(second.changes().size() - 1);
            assertEquals(passthrough.api.CommandUndo.rerun(), redefine.undo());
            Files.writeString(doc2, second.document());
            assertEquals(0, run(withDocument(redefine.argv(), doc2)).exit);
            assertTrue(virsh(uri, "dumpxml", name).output.contains("<memory unit='KiB'>786432</memory>"));
            // rollback: the restored first document, the same command again
            assertEquals(0, run(withDocument(redefine.argv(), doc1)).exit);
            assertTrue(virsh(uri, "dumpxml", name).output.contains("<memory unit='KiB'>524288</memory>"));

            // without the existing uuid libvirt refuses the redefinition
            Files.writeString(doc2, second.document().replaceFirst("<uuid>[^<]*</uuid>", "<uuid>" + UUID.randomUUID() + "</uuid>"));
            Result other = run(withDocument(redefine.argv(), doc2));
            assertTrue(other.exit != 0 && other.output.contains("already exists"), other.output);

            // remove, and its undo
            List<passthrough.api.Change> remove = libvirt.remove(defined, name);
            passthrough.api.CommandChange undefine = (passthrough.api.CommandChange) remove.get(1);
            assertEquals(0, run(undefine.argv()).exit);
            assertEquals(1, virsh(uri, "dominfo", name).exit);
            assertEquals(0, run(withDocument(((passthrough.api.CommandUndo.Run) undefine.undo()).argv(), doc1)).exit);
            assertEquals(0, virsh(uri, "dominfo", name).exit, "defined again by remove's undo");
        } finally {
            virsh(uri, "undefine", "--nvram", name);
            Files.deleteIfExists(doc1);
            Files.deleteIfExists(doc2);
        }
    }

    /**
     * The two hypervisor plugins check each other: for one VM (seed 1's four functions in one slot plus a second card,
     * the NVIDIA and SPICE-mouse features, host-phys-bits and a 64-bit PCI window, TCG, the firmware named explicitly),
     * the argv the real libvirt makes of the libvirt plugin's domain (virsh domxml-to-native) and the argv the qemu
     * plugin's script would run (its --print-argv) give the same functions at the same guest addresses, the same
     * firmware code, and the same quirk properties.
     */
    @org.junit.jupiter.api.Test
    void libvirtsArgvAndTheQemuScriptAgree() throws Exception {
        String name = "passthrough-it-cross-" + ProcessHandle.current().pid();
        String code = firmwareCodes().stream().sorted().findFirst().orElseThrow();
        String vars = code.replace("CODE", "VARS").replace("-code.fd", "-vars.fd");
        passthrough.api.Firmware firmware = new passthrough.api.Firmware(code, Files.exists(Path.of(vars)) ? vars : code,
                "raw", false, null);
        List<passthrough.api.PassedFunction> card = new ArrayList<>();
        for (int f = 0; f < 4; f++) card.add(new passthrough.api.PassedFunction(passthrough.api.PciAddress.parse("0000:65:00." + f), f));
        passthrough.api.VmSpec vm = new passthrough.api.VmSpec(name, 512, 1, passthrough.api.VirtType.QEMU, firmware, List.of(),
                null, passthrough.api.VmNetwork.of(passthrough.api.VmNetwork.Kind.NONE), passthrough.api.VmSpec.Graphics.SPICE,
                List.of(new passthrough.api.GuestSlot(1, card), new passthrough.api.GuestSlot(2, List.of(
                        new passthrough.api.PassedFunction(passthrough.api.PciAddress.parse("0000:05:00.0"), 0)))), null, null);
        List<passthrough.api.VmFeature> features = List.of(new passthrough.api.VmFeature.HideKvm(),
                new passthrough.api.VmFeature.HypervVendorId("passthrough"), new passthrough.api.VmFeature.KvmIoapic(),
                new passthrough.api.VmFeature.SpiceServerMouse(), new passthrough.api.VmFeature.HostPhysBits(),
                new passthrough.api.VmFeature.PciMmio64Window(65536),
                new passthrough.api.VmFeature.RomBarOff(passthrough.api.PciAddress.parse("0000:05:00.0")));
        passthrough.api.HostFacts facts = passthrough.api.HostFacts.builder()
                .commands(java.util.Set.of("virsh", "qemu-system-x86_64")).build();

        String xml = new passthrough.plugin.libvirt.LibvirtHypervisor().withSettings(new passthrough.api.PluginSettings(
                Map.of("uri", uri, "firmwareAutoSelect", "false"))).define(facts, vm, features).document();
        String script = new passthrough.plugin.qemu.QemuHypervisor().define(facts, vm, features).document();

        Path domain = Files.createTempFile("pt-cross", ".xml");
        Path launcher = Files.createTempFile("pt-cross", ".sh");
        Normalized fromLibvirt;
        try {
            Files.writeString(domain, xml, StandardCharsets.UTF_8);
            Result define = virsh(uri, "define", domain.toString());
            assertEquals(0, define.exit, define.output + daemonLog());
            try {
                Result native_ = virsh(uri, "domxml-to-native", "qemu-argv", "--domain", name);
                assertEquals(0, native_.exit, native_.output + daemonLog());
                Files.createDirectories(ARGV_OUT);
                Files.writeString(ARGV_OUT.resolve("cross-check.libvirt.argv"), native_.output);
                fromLibvirt = QemuArgv.ofShell(native_.output.strip());
            } finally {
                virsh(uri, "undefine", "--nvram", name);
            }
            Files.writeString(launcher, script, StandardCharsets.UTF_8);
            Process p = new ProcessBuilder("bash", launcher.toString(), "--print-argv").redirectErrorStream(false).start();
            byte[] out = p.getInputStream().readAllBytes();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "the script's --print-argv: " + err);
            List<String> argv = new ArrayList<>(List.of(new String(out, StandardCharsets.UTF_8).split("\0")));
            Files.writeString(ARGV_OUT.resolve("cross-check.qemu.argv"), String.join("\n", argv));
            Normalized fromScript = QemuArgv.of(argv);

            assertEquals(fromLibvirt.functions(), fromScript.functions(), "the same functions at the same guest addresses");
            assertEquals(5, fromScript.functions().size());
            assertEquals(fromLibvirt.pflash().get(0), fromScript.pflash().get(0), "the same read-only firmware code");
            assertEquals(fromLibvirt.machineType(), fromScript.machineType());
            assertEquals(fromLibvirt.accel(), fromScript.accel());
            assertEquals(fromLibvirt.cpu(), fromScript.cpu(), "the same -cpu quirk properties");
            assertEquals(fromLibvirt.machine(), fromScript.machine(), "the same -machine quirk properties");
            assertEquals(fromLibvirt.fwCfg(), fromScript.fwCfg(), "the same firmware configuration (the PCI window)");
            assertEquals(fromLibvirt.spice(), fromScript.spice(), "the same SPICE mouse");
        } finally {
            Files.deleteIfExists(domain);
            Files.deleteIfExists(launcher);
        }
    }

    private static passthrough.api.VmSpec vm(String name, long mib) {
        return new passthrough.api.VmSpec(name, mib, 1, passthrough.api.VirtType.QEMU, new passthrough.api.Firmware(
                "/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd", "raw", false, null), List.of(), null,
                passthrough.api.VmNetwork.of(passthrough.api.VmNetwork.Kind.NONE), passthrough.api.VmSpec.Graphics.NONE,
                List.of(new passthrough.api.GuestSlot(1, List.of(new passthrough.api.PassedFunction(
                        passthrough.api.PciAddress.parse("0000:00:04.0"), 0)))), null, null);
    }

    /** The argv with its /etc/passthrough/vms/NAME.xml replaced by {@code document}. */
    private static List<String> withDocument(List<String> argv, Path document) {
        assertTrue(argv.get(argv.size() - 1).startsWith("/etc/passthrough/vms/"), argv.toString());
        List<String> out = new ArrayList<>(argv.subList(0, argv.size() - 1));
        out.add(document.toString());
        return out;
    }

    private static Result run(List<String> argv) throws IOException, InterruptedException {
        assertEquals("virsh", argv.get(0), argv.toString());
        assertEquals(List.of("-c", uri), argv.subList(1, 3), "the plugin's uri setting: " + argv);
        return virsh(uri, argv.subList(3, argv.size()).toArray(String[]::new));
    }

    /** Root ports (index, chassis, pcie.0 slot) and hostdevs (driver, host address, guest address), in document order. */
    static List<String> passthroughDevices(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document doc = f.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
        List<String> out = new ArrayList<>();
        NodeList controllers = doc.getElementsByTagName("controller");
        for (int i = 0; i < controllers.getLength(); i++) {
            Element c = (Element) controllers.item(i);
            if (!"pcie-root-port".equals(c.getAttribute("model"))) continue;
            Element target = child(c, "target");
            Element address = child(c, "address");
            int index = Integer.parseInt(c.getAttribute("index"));
            // libvirt adds root ports of its own for the disk, network, video: only ours (chassis = index, slot 0x10+) count
            if (address == null || Integer.decode(address.getAttribute("slot")) < 0x10) continue;
            out.add("root-port " + index + " chassis=" + target.getAttribute("chassis") + " at " + address(address));
        }
        NodeList hostdevs = doc.getElementsByTagName("hostdev");
        for (int i = 0; i < hostdevs.getLength(); i++) {
            Element h = (Element) hostdevs.item(i);
            Element rom = child(h, "rom");
            out.add("hostdev managed=" + h.getAttribute("managed") + " driver=" + child(h, "driver").getAttribute("name")
                    + " host=" + address(child(child(h, "source"), "address")) + " guest=" + address(child(h, "address"))
                    + (rom == null ? "" : " rom bar=" + rom.getAttribute("bar")));
        }
        return out;
    }

    private static String address(Element a) {
        Map<String, String> m = new TreeMap<>();
        for (String k : List.of("domain", "bus", "slot", "function")) m.put(k, Integer.toHexString(Integer.decode(a.getAttribute(k))));
        if (!a.getAttribute("multifunction").isEmpty()) m.put("multifunction", a.getAttribute("multifunction"));
        return m.toString();
    }

    private static Element child(Element e, String name) {
        NodeList l = e.getChildNodes();
        for (int i = 0; i < l.getLength(); i++) {
            if (l.item(i) instanceof Element c && c.getTagName().equals(name)) return c;
        }
        return null;
    }

    /** mapping.executable.filename of each x86_64 descriptor without secure boot in /usr/share/qemu/firmware. */
    static Set<String> firmwareCodes() throws IOException {
        Set<String> codes = new HashSet<>();
        Path dir = Path.of("/usr/share/qemu/firmware");
        if (!Files.isDirectory(dir)) return codes;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                JsonNode d = new ObjectMapper().readTree(p.toFile());
                boolean x86 = false;
                for (JsonNode t : d.path("targets")) x86 |= "x86_64".equals(t.path("architecture").asText());
                boolean secure = false;
                for (JsonNode feature : d.path("features")) secure |= "secure-boot".equals(feature.asText());
                String code = d.path("mapping").path("executable").path("filename").asText();
                if (x86 && !secure && !code.isEmpty()) codes.add(code);
            }
        }
        return codes;
    }

    private static String daemonLog() throws IOException {
        if (daemonDir == null || !Files.exists(daemonDir.resolve("libvirtd.log"))) return "";
        List<String> lines = Files.readAllLines(daemonDir.resolve("libvirtd.log"));
        return "\nlibvirtd.log (last lines):\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
    }

    static void required(boolean condition, String message) {
        if ("1".equals(System.getenv("PASSTHROUGH_CI"))) assertTrue(condition, message);
        else Assumptions.assumeTrue(condition, message);
    }

    record Result(int exit, String output) {
    }

    static Result virsh(String uri, String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("virsh", "-c", uri));
        argv.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", argv) + " did not finish in 120 s");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}
