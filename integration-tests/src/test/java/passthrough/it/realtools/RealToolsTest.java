package passthrough.it.realtools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import passthrough.cli.Main;
import passthrough.it.realtools.RealRoot.Run;
import passthrough.core.host.HostRoot;

/**
 * The real update-grub, update-initramfs, lsinitramfs, unmkinitramfs and grub-script-check of Debian 12, on a root
 * prepared by integration-tests/real-tools/run (which sets passthrough.realtools.root): the real-kernel guest's
 * rootfs with the sysfs captured from that guest, and a grub.cfg the real update-grub made. The tests build on each
 * other in order: the by-address route (the decoy std VGA shares the GPU's 1234:1111), rollback; then, with the
 * decoy taken out of the captured sysfs (one card of that model), the ids route, a switch to pci-stub, and two
 * rollbacks back to the original root; last, a hand-edited modprobe.d file repaired by rebuilding only the initramfs.
 * Without the property they are skipped (a plain `mvn verify` has no Debian root); with it, a missing or
 * unprepared root fails, and the script fails when any test was skipped.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealToolsTest {
    static final String GPU = "0000:01:00.0";
    static final String DECOY = "0000:00:01.0";
    static final String IDS = "1234:1111,8086:293e,1b36:000d";
    static final String VFIO_CONF = "etc/modprobe.d/passthrough-vfio.conf";
    static final String STUB_CONF = "etc/modprobe.d/passthrough-pci-stub.conf";
    static final String SCRIPT = "etc/passthrough/bind-by-address.sh";
    static final List<String> VFIO_MODULES = List.of("/vfio.ko", "/vfio_iommu_type1.ko", "/vfio-pci.ko", "/vfio_virqfd.ko");
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> TIMINGS = new ArrayList<>();
    static Path root;
    static String release;
    static Map<String, String> etcBefore;
    static List<String> grubLinuxBefore;
    static List<String> initramfsBefore;
    static List<String> initramfsIdsRoute;


    @BeforeAll
    static void root() throws Exception {
        String prop = System.getProperty("passthrough.realtools.root");
        Assumptions.assumeTrue(prop != null, "run by integration-tests/real-tools/run, which prepares a Debian root");
        root = Path.of(prop);
        assertTrue(Files.isExecutable(root.resolve("usr/sbin/update-grub")), root + " is not a prepared Debian root");
        try (Stream<Path> s = Files.list(root.resolve("lib/modules"))) {
            release = s.map(p -> p.getFileName().toString()).findFirst().orElseThrow();
        }
        assertEquals(release, Files.readString(root.resolve("proc/sys/kernel/osrelease")).strip(),
                "the captured kernel is the root's kernel, so update-initramfs -k finds its modules");
        etcBefore = etc();
        Path cfg = root.resolve("boot/grub/grub.cfg");
        assertTrue(Files.exists(cfg), "the script runs the real update-grub once first, as on an installed system");
        grubLinuxBefore = linuxLines(Files.readString(cfg));
        assertFalse(grubLinuxBefore.isEmpty(), "update-grub made menu entries");
        for (String l : grubLinuxBefore) assertFalse(l.contains("intel_iommu=on"), l);
        initramfsBefore = initramfsListing();
        // so that "the rebuilt initramfs holds X" means the rebuild put X there
        for (String absent : List.of("/vfio.ko", "/vfio-pci.ko", "/pci-stub.ko", "passthrough")) {
            assertFalse(initramfsBefore.stream().anyMatch(l -> l.contains(absent)), absent + " is already in the initramfs");
        }
    }

    @AfterAll
    static void timings() {
        RealRoot.print(TIMINGS);
    }

    static Run cli(String... args) {
        return cliAt(root, args);
    }

    static Run cliAt(Path at, String... args) {
        String what = "passthrough " + (at.equals(root) ? "" : "--root " + root.relativize(at) + " ") + String.join(" ", args);
        return RealRoot.cli(TIMINGS, what, at, args);
    }

    static String inRoot(String... argv) throws IOException, InterruptedException {
        return RealRoot.inRoot(root, argv);
    }

    static Map<String, String> etc() throws IOException {
        return RealRoot.etc(root);
    }

    static List<String> linuxLines(String grubCfg) {
        return grubCfg.lines().map(String::strip).filter(l -> l.startsWith("linux\t") || l.startsWith("linux ")).toList();
    }

    static List<String> grubLinuxLines() throws IOException {
        return linuxLines(Files.readString(root.resolve("boot/grub/grub.cfg")));
    }

    static List<String> initramfsListing() throws Exception {
        return inRoot("lsinitramfs", "/boot/initrd.img-" + release).lines().toList();
    }

    static void assertListed(List<String> listing, String suffix) {
        assertTrue(listing.stream().anyMatch(l -> l.endsWith(suffix)), suffix + " missing from the initramfs:\n" + String.join("\n", listing));
    }

    static void assertNotListed(List<String> listing, String suffix) {
        assertFalse(listing.stream().anyMatch(l -> l.endsWith(suffix)), suffix + " is in the initramfs");
    }

    /** unmkinitramfs into the root's tmp; the main archive's root (after the early microcode one, if any). */
    static Path unpackInitramfs() throws Exception {
        Path unpacked = Files.createTempDirectory(root.resolve("tmp"), "initramfs");
        inRoot("unmkinitramfs", "/boot/initrd.img-" + release, "/" + root.relativize(unpacked));
        return Files.isDirectory(unpacked.resolve("main")) ? unpacked.resolve("main") : unpacked;
    }

    /** grub-script-check of the Debian root on the grub.cfg update-grub just wrote. */
    static void grubScriptCheckAcceptsGrubCfg() throws Exception {
        inRoot("grub-script-check", "/boot/grub/grub.cfg");
    }

    /** The normal entries carry the parameters; the recovery entry ("single") keeps the plain line, a way back in. */
    static void assertGrubCfgHasTheIommuParameters() throws IOException {
        List<String> linux = grubLinuxLines();
        assertEquals(grubLinuxBefore.size(), linux.size(), "the same menu entries");
        for (String l : linux) assertEquals(!l.contains(" single"), l.contains("intel_iommu=on iommu=pt"), l);
        assertTrue(linux.stream().anyMatch(l -> l.contains("intel_iommu=on iommu=pt")), String.join("\n", linux));
    }

    static JsonNode plan(String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of("plan", "--device", GPU, "--json"));
        args.addAll(List.of(extra));
        Run r = cli(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        return JSON.readTree(r.out());
    }

    /** @param grubChanges whether /etc/default/grub changes, so update-grub must run too */
    static void apply(boolean grubChanges, String... extra) {
        List<String> args = new ArrayList<>(List.of("apply", "--device", GPU, "--yes"));
        args.addAll(List.of(extra));
        Run r = cli(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("ran update-initramfs -u -k " + release + ": ok"), r.out());
        assertEquals(grubChanges, r.out().contains("ran update-grub: ok"), r.out());
    }

    static void rollback() {
        Run r = cli("rollback");
        assertEquals(0, r.exit(), r.out() + r.err());
    }

    // --- the by-address route: the decoy std VGA 00:01.0 has the GPU's 1234:1111 ---

    @Test
    @Order(1)
    void planTakesTheModuleRouteByAddressAndTurnsTheIommuOnInGrub() throws Exception {
        JsonNode plan = plan();
        assertEquals("vfio-pci", plan.get("binding").asText());
        assertTrue(plan.get("byAddress").asBoolean(), "the decoy std VGA shares 1234:1111");
        List<String> argv0 = new ArrayList<>();
        plan.get("commands").forEach(c -> argv0.add(c.get("argv").get(0).asText()));
        // the initramfs first: a bootloader refresh may copy it (kernel-install, proxmox-boot-tool; RealToolsUefiTest)
        assertEquals(List.of("update-initramfs", "update-grub"), argv0);
    }

    @Test
    @Order(2)
    void applyRunsTheRealToolsAndGrubCfgGetsTheParameters() throws Exception {
        apply(true);
        assertGrubCfgHasTheIommuParameters();
        grubScriptCheckAcceptsGrubCfg();
        System.out.println("grub.cfg linux lines (by address):\n  " + String.join("\n  ", grubLinuxLines()));
    }

    @Test
    @Order(3)
    void theRebuiltInitramfsHoldsTheVfioModulesTheModprobeFileAndTheByAddressScript() throws Exception {
        List<String> listing = initramfsListing();
        for (String m : VFIO_MODULES) assertListed(listing, m);
        assertListed(listing, VFIO_CONF);
        assertListed(listing, SCRIPT);
        // the copies are the files written, and every program the modprobe.d install line names is there at boot
        Path initramfs = unpackInitramfs();
        for (String f : List.of(VFIO_CONF, SCRIPT)) {
            assertTrue(Files.exists(initramfs.resolve(f)), f + " not unpacked");
            assertEquals(Files.readString(root.resolve(f)), Files.readString(initramfs.resolve(f)), f);
        }
        String conf = Files.readString(initramfs.resolve(VFIO_CONF));
        Matcher install = Pattern.compile("(?m)^install vfio-pci (.*)$").matcher(conf);
        assertTrue(install.find(), "by address: vfio-pci is loaded through the script\n" + conf);
        Matcher path = Pattern.compile("(?<![\\w.$-])/[\\w./-]+").matcher(install.group(1));
        List<String> named = new ArrayList<>();
        while (path.find()) named.add(path.group());
        assertTrue(named.containsAll(List.of("/bin/sh", "/" + SCRIPT)), named.toString());
        for (String p : named) assertTrue(existsInside(initramfs, p), p + " (from `install vfio-pci`) is not in the initramfs");
        System.out.println("initramfs (by address): " + listing.stream().filter(l -> l.contains("vfio") || l.contains("passthrough")).toList());
    }

    @Test
    @Order(4)
    void onLfsTheRealGrubScriptCheckPassesTheGrubLfsEditAndStopsAnApplyOnAFileItRejects() throws Exception {
        // the LFS seed booted without intel_iommu=on: the grub-lfs plugin edits its hand-written grub.cfg and, as the
        // root has grub-script-check, plans to run it; here it is Debian's, copied in with its libraries
        passthrough.fixtures.SampleHost lfs = passthrough.fixtures.SampleHosts.byName("seed2-lfs-12.2");
        lfs.cmdline(lfs.cmdline().replace(" intel_iommu=on", "").replace(" iommu=pt", ""));
        Path host = root.resolve("tmp/lfs-host");
        passthrough.fixtures.HostWriter.write(lfs, host);
        Path cfg = host.resolve("boot/grub/grub.cfg");
        Files.writeString(cfg, Files.readString(cfg).replace(" intel_iommu=on", "").replace(" iommu=pt", ""));
        installFromDebianRoot(host, "/usr/bin/grub-script-check");
        byte[] original = Files.readAllBytes(cfg);

        Run planned = cliAt(host, "plan", "--device", "82:00.0", "--json");
        assertEquals(0, planned.exit(), planned.err());
        List<String> commands = new ArrayList<>();
        JSON.readTree(planned.out()).get("commands").forEach(c -> commands.add(String.join(" ", JSON.convertValue(c.get("argv"), String[].class))));
        assertEquals(List.of("grub-script-check /boot/grub/grub.cfg"), commands);

        Run applied = cliAt(host, "apply", "--device", "82:00.0", "--yes");
        assertEquals(0, applied.exit(), applied.out() + applied.err());
        assertTrue(applied.out().contains("ran grub-script-check /boot/grub/grub.cfg: ok"), applied.out());
        List<String> linux = linuxLines(Files.readString(cfg));
        assertTrue(linux.stream().anyMatch(l -> l.endsWith(" ro intel_iommu=on iommu=pt")), String.join("\n", linux));
        System.out.println("LFS grub.cfg linux line after the grub-lfs edit: " + linux);
        Run back = cliAt(host, "rollback");
        assertEquals(0, back.exit(), back.out() + back.err());
        assertEquals(new String(original, StandardCharsets.ISO_8859_1), Files.readString(cfg, StandardCharsets.ISO_8859_1));

        // a hand-kept file that GRUB would not read (an unclosed `if` after the menu): our edit of the linux line is
        // fine, the file is not; grub-script-check fails the apply, and the file is left as it was
        String broken = new String(original, StandardCharsets.UTF_8) + "if [ -f /boot/extra.cfg ]; then\n  source /boot/extra.cfg\n";
        Files.writeString(cfg, broken);
        Run refused = cliAt(host, "apply", "--device", "82:00.0", "--yes");
        assertEquals(1, refused.exit(), refused.out() + refused.err());
        assertTrue(refused.err().contains("command `grub-script-check /boot/grub/grub.cfg` failed"), refused.err());
        assertEquals(broken, Files.readString(cfg), "restored byte for byte");
    }

    /** Copies a program of the Debian root and the libraries ldd names for it into {@code host}, at the same paths. */
    static void installFromDebianRoot(Path host, String program) throws Exception {
        List<String> paths = new ArrayList<>(List.of(program));
        Matcher m = Pattern.compile("(?m)(?:=> )?(/\\S+) \\(0x").matcher(inRoot("ldd", program));
        while (m.find()) paths.add(m.group(1));
        assertTrue(paths.size() > 2, "ldd named the libraries: " + paths);
        for (String p : paths) {
            Path from = resolveInside(root, p);
            assertNotNull(from, p + " in the Debian root");
            Path to = host.resolve(p.substring(1));
            Files.createDirectories(to.getParent());
            Files.copy(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        }
    }

    @Test
    @Order(5)
    void aSecondApplyChangesNothing() {
        Run r = cli("apply", "--device", GPU, "--yes");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("Nothing to do"), r.out());
    }

    @Test
    @Order(6)
    void rollbackRestoresEtcByteForByteAndTheToolsRegenerateTheOriginalBoot() throws Exception {
        rollback();
        assertOriginalHost();
    }

    /** etc/ byte-identical, and the regenerated grub.cfg and initramfs are those of the untouched root. */
    static void assertOriginalHost() throws Exception {
        Map<String, String> after = etc();
        assertEquals(etcBefore.keySet(), after.keySet());
        assertEquals(etcBefore, after);
        assertEquals(grubLinuxBefore, grubLinuxLines());
        grubScriptCheckAcceptsGrubCfg();
        assertEquals(initramfsBefore, initramfsListing(), "the rebuilt initramfs holds exactly what it held before");
    }

    // --- the ids route: the same machine with one card of that model (the decoy taken out of the captured sysfs) ---

    @Test
    @Order(7)
    void withoutTheDecoyTheIdsGoIntoModprobeDAndTheInitramfs() throws Exception {
        for (String p : List.of("sys/bus/pci/devices/" + DECOY, "sys/devices/pci0000:00/" + DECOY)) {
            assertTrue(Files.exists(root.resolve(p), java.nio.file.LinkOption.NOFOLLOW_LINKS), p);
        }
        Files.delete(root.resolve("sys/bus/pci/devices/" + DECOY));
        deleteTree(root.resolve("sys/devices/pci0000:00/" + DECOY));
        try (Stream<Path> groups = Files.list(root.resolve("sys/kernel/iommu_groups"))) {
            for (Path g : groups.toList()) if (Files.exists(g.resolve("devices/" + DECOY), java.nio.file.LinkOption.NOFOLLOW_LINKS)) deleteTree(g);
        }
        JsonNode plan = plan();
        assertEquals("vfio-pci", plan.get("binding").asText());
        assertFalse(plan.get("byAddress").asBoolean(), "no other device has the GPU's ids now");

        apply(true);
        assertTrue(Files.readString(root.resolve(VFIO_CONF)).contains("\noptions vfio-pci ids=" + IDS + "\n"), Files.readString(root.resolve(VFIO_CONF)));
        assertFalse(Files.exists(root.resolve(SCRIPT)));
        assertGrubCfgHasTheIommuParameters();
        grubScriptCheckAcceptsGrubCfg();
        List<String> listing = initramfsListing();
        for (String m : VFIO_MODULES) assertListed(listing, m);
        assertListed(listing, VFIO_CONF);
        assertNotListed(listing, SCRIPT);
        Path initramfs = unpackInitramfs();
        assertEquals(Files.readString(root.resolve(VFIO_CONF)), Files.readString(initramfs.resolve(VFIO_CONF)));
        initramfsIdsRoute = listing;
        System.out.println("initramfs (ids): " + listing.stream().filter(l -> l.contains("vfio") || l.contains("passthrough")).toList());
        System.out.println(VFIO_CONF + " in the initramfs:\n  " + String.join("\n  ", Files.readAllLines(initramfs.resolve(VFIO_CONF))));
    }

    @Test
    @Order(8)
    void switchingToPciStubReplacesTheModprobeFileAndTheModulesInTheInitramfs() throws Exception {
        apply(false, "--binding", "pci-stub"); // the command line stays as it is: the IOMMU parameters are already there
        assertFalse(Files.exists(root.resolve(VFIO_CONF)), "vfio-pci's reservation is released");
        assertTrue(Files.readString(root.resolve(STUB_CONF)).contains("\noptions pci-stub ids=" + IDS + "\n"), Files.readString(root.resolve(STUB_CONF)));
        assertGrubCfgHasTheIommuParameters();
        grubScriptCheckAcceptsGrubCfg();
        List<String> listing = initramfsListing();
        assertListed(listing, "/pci-stub.ko");
        assertListed(listing, STUB_CONF);
        assertNotListed(listing, VFIO_CONF);
        // nothing tells vfio-pci to take a device any more; its modules stay in etc/initramfs-tools/modules (the
        // loader only appends), so they still load early, without ids: harmless, and left to a later clean-up
        Path initramfs = unpackInitramfs();
        assertEquals(Files.readString(root.resolve(STUB_CONF)), Files.readString(initramfs.resolve(STUB_CONF)));
        System.out.println("initramfs (pci-stub): " + listing.stream().filter(l -> l.contains("pci-stub") || l.contains("passthrough")).toList());
    }

    @Test
    @Order(9)
    void rollingBothBackReturnsToVfioPciAndThenToTheOriginalRoot() throws Exception {
        rollback();
        assertTrue(Files.exists(root.resolve(VFIO_CONF)) && !Files.exists(root.resolve(STUB_CONF)));
        assertEquals(initramfsIdsRoute, initramfsListing(), "the initramfs of the vfio-pci reservation again");
        assertGrubCfgHasTheIommuParameters();
        rollback();
        assertOriginalHost();
    }

    @Test
    @Order(10)
    void aHandEditedModprobeFileIsRepairedByRebuildingOnlyTheInitramfs() throws Exception {
        apply(true);
        String written = Files.readString(root.resolve(VFIO_CONF));
        String edited = written.replace("softdep xhci_pci pre: vfio-pci\n", "");
        assertFalse(written.equals(edited), written);
        Files.writeString(root.resolve(VFIO_CONF), edited); // someone took a line out by hand

        // the plan puts the softdep back: only the modprobe.d file changes, so only the initramfs is rebuilt
        JsonNode plan = plan();
        List<String> files = new ArrayList<>();
        plan.get("files").forEach(f -> files.add(f.get("path").asText()));
        assertEquals(List.of(VFIO_CONF), files);
        List<String> argv0 = new ArrayList<>();
        plan.get("commands").forEach(c -> argv0.add(c.get("argv").get(0).asText()));
        assertEquals(List.of("update-initramfs"), argv0);
        apply(false);
        assertEquals(written, Files.readString(root.resolve(VFIO_CONF)));
        assertEquals(written, Files.readString(unpackInitramfs().resolve(VFIO_CONF)), "the initramfs carries the repaired file");

        rollback();
        assertEquals(edited, Files.readString(root.resolve(VFIO_CONF)));
        assertEquals(edited, Files.readString(unpackInitramfs().resolve(VFIO_CONF)), "and the hand-edited one again after rollback");
        // the reservation's own transaction wrote a file that was edited since: refused, then forced
        Run refused = cli("rollback");
        assertEquals(3, refused.exit(), refused.out() + refused.err());
        assertTrue(refused.err().contains(VFIO_CONF) && refused.err().contains("changed since"), refused.err());
        Run forced = cli("rollback", "--force");
        assertEquals(0, forced.exit(), forced.out() + forced.err());
        assertOriginalHost();
    }

    /** Whether the absolute path {@code p} exists in the tree under {@code top}, links followed as inside it. */
    static boolean existsInside(Path top, String p) throws IOException {
        return resolveInside(top, p) != null;
    }

    /** The file the absolute path {@code p} names in the tree under {@code top} (links followed as chroot would), or null. */
    static Path resolveInside(Path top, String p) throws IOException {
        HostRoot tree = HostRoot.ofTree(top);
        return tree.resolve(p).map(tree.path()::resolve).orElse(null);
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
