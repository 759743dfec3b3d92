package passthrough.it.realtools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import passthrough.cli.Main;

/**
 * The real update-grub, update-initramfs, lsinitramfs and grub-script-check of Debian 12, on a root prepared by
 * integration-tests/real-tools/run (which sets passthrough.realtools.root). The tests build on each other in
 * order: plan, apply with the real tools, check what they produced, apply again, rollback.
 * Without the property they are skipped (a plain `mvn verify` has no Debian root); with it, a missing or
 * unprepared root fails.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealToolsTest {
    static final String GPU = "0000:01:00.0";
    static final ObjectMapper JSON = new ObjectMapper();
    static Path root;
    static String release;
    static Map<String, String> etcBefore;
    static String grubCfgBefore;

    record Run(int exit, String out, String err, long millis) {
    }

    @BeforeAll
    static void root() throws Exception {
        String prop = System.getProperty("passthrough.realtools.root");
        Assumptions.assumeTrue(prop != null, "run by integration-tests/real-tools/run, which prepares a Debian root");
        root = Path.of(prop);
        assertTrue(Files.isExecutable(root.resolve("usr/sbin/update-grub")), root + " is not a prepared Debian root");
        try (Stream<Path> s = Files.list(root.resolve("lib/modules"))) {
            release = s.map(p -> p.getFileName().toString()).findFirst().orElseThrow();
        }
        etcBefore = etc();
        grubCfgBefore = Files.exists(root.resolve("boot/grub/grub.cfg")) ? Files.readString(root.resolve("boot/grub/grub.cfg")) : null;
    }

    static Run cli(String... args) {
        List<String> all = new ArrayList<>(List.of("--root", root.toString()));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        long t0 = System.nanoTime();
        int exit = Main.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        Run r = new Run(exit, out.toString(), err.toString(), (System.nanoTime() - t0) / 1_000_000);
        System.out.println("passthrough " + String.join(" ", args) + ": exit " + exit + " in " + r.millis() + " ms");
        return r;
    }

    /** A program of the Debian root, run inside it. */
    static String inRoot(String... argv) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("chroot", root.toString()));
        cmd.addAll(List.of(argv));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), String.join(" ", argv) + " timed out");
        assertEquals(0, p.exitValue(), String.join(" ", argv) + ":\n" + out);
        return out;
    }

    static Map<String, String> etc() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root.resolve("etc"))) {
            for (Path p : s.filter(Files::isRegularFile).filter(p -> !Files.isSymbolicLink(p)).toList()) {
                out.put(root.relativize(p).toString(), new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
            }
        }
        return out;
    }

    static List<String> linuxLines(String grubCfg) {
        return grubCfg.lines().map(String::strip).filter(l -> l.startsWith("linux\t") || l.startsWith("linux ")).toList();
    }

    String initramfsListing() throws Exception {
        return inRoot("lsinitramfs", "/boot/initrd.img-" + release);
    }

    @Test
    @Order(1)
    void planTakesTheModuleRouteByAddressAndTurnsTheIommuOnInGrub() throws Exception {
        Run r = cli("plan", "--device", GPU, "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode plan = JSON.readTree(r.out());
        assertEquals("vfio-pci", plan.get("binding").asText());
        assertTrue(plan.get("byAddress").asBoolean(), "the decoy std VGA shares 1234:1111");
        List<String> argv0 = new ArrayList<>();
        plan.get("commands").forEach(c -> argv0.add(c.get("argv").get(0).asText()));
        assertEquals(List.of("update-grub", "update-initramfs"), argv0);
    }

    @Test
    @Order(2)
    void applyRunsTheRealToolsAndGrubCfgGetsTheParameters() throws Exception {
        Run r = cli("apply", "--device", GPU, "--yes");
        assertEquals(0, r.exit(), r.out() + r.err());
        String cfg = Files.readString(root.resolve("boot/grub/grub.cfg"));
        List<String> linux = linuxLines(cfg);
        assertFalse(linux.isEmpty(), "update-grub wrote menu entries:\n" + cfg);
        // GRUB_CMDLINE_LINUX_DEFAULT is edited: the normal entries get it, the recovery entries ("single") keep the
        // plain line, a way back into the host should the reservation go wrong
        for (String l : linux) assertEquals(!l.contains(" single"), l.contains("intel_iommu=on iommu=pt"), l);
        assertTrue(linux.stream().anyMatch(l -> l.contains("intel_iommu=on iommu=pt")), cfg);
        System.out.println("grub.cfg linux lines:\n  " + String.join("\n  ", linux));
    }

    @Test
    @Order(3)
    void theRebuiltInitramfsHoldsTheVfioModulesTheModprobeFileAndTheByAddressScript() throws Exception {
        String listing = initramfsListing();
        for (String needed : List.of("/vfio.ko", "/vfio_iommu_type1.ko", "/vfio-pci.ko", "/vfio_virqfd.ko",
                "etc/modprobe.d/passthrough-vfio.conf", "etc/passthrough/bind-by-address.sh")) {
            assertTrue(listing.lines().anyMatch(l -> l.endsWith(needed)), needed + " missing from the initramfs:\n" + listing);
        }
        // and the copies are the files we wrote
        Path unpacked = Files.createTempDirectory(root.resolve("tmp"), "initramfs");
        inRoot("unmkinitramfs", "/boot/initrd.img-" + release, "/" + root.relativize(unpacked));
        for (String f : List.of("etc/modprobe.d/passthrough-vfio.conf", "etc/passthrough/bind-by-address.sh",
                "etc/initramfs-tools/modules")) {
            Path copy;
            try (Stream<Path> s = Files.walk(unpacked)) {
                copy = s.filter(p -> p.toString().endsWith("/" + f)).findFirst().orElse(null);
            }
            if (f.equals("etc/initramfs-tools/modules")) continue; // not copied by design: its modules are loaded, not the file
            assertTrue(copy != null, f + " not unpacked");
            assertEquals(Files.readString(root.resolve(f)), Files.readString(copy), f);
        }
        System.out.println("initramfs: " + listing.lines().filter(l -> l.contains("vfio") || l.contains("passthrough")).toList());
    }

    @Test
    @Order(4)
    void grubScriptCheckAcceptsTheGeneratedGrubCfgAndTheGrubLfsEdit() throws Exception {
        inRoot("grub-script-check", "/boot/grub/grub.cfg");
        // the LFS seed booted without intel_iommu=on: the grub-lfs plugin edits its hand-written grub.cfg
        passthrough.fixtures.SampleHost lfs = passthrough.fixtures.SampleHosts.byName("seed2-lfs-12.2");
        lfs.cmdline(lfs.cmdline().replace(" intel_iommu=on", "").replace(" iommu=pt", ""));
        Path host = root.resolve("tmp/lfs-host");
        passthrough.fixtures.HostWriter.write(lfs, host);
        Path hostCfg = host.resolve("boot/grub/grub.cfg");
        Files.writeString(hostCfg, Files.readString(hostCfg).replace(" intel_iommu=on", "").replace(" iommu=pt", ""));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new String[] {"--root", host.toString(), "plan", "--device", "82:00.0", "--json"},
                new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, exit, err.toString());
        JsonNode grubCfg = null;
        for (JsonNode f : JSON.readTree(out.toString()).get("files")) if (f.get("path").asText().equals("boot/grub/grub.cfg")) grubCfg = f;
        assertTrue(grubCfg != null, "the plan edits boot/grub/grub.cfg: " + out);
        assertTrue(linuxLines(grubCfg.get("after").asText()).stream().anyMatch(l -> l.contains("intel_iommu=on")), grubCfg.toString());
        Files.writeString(root.resolve("tmp/lfs-grub.cfg"), grubCfg.get("after").asText());
        inRoot("grub-script-check", "/tmp/lfs-grub.cfg");
        // the checker is not a rubber stamp: an unclosed menuentry is rejected
        Files.writeString(root.resolve("tmp/broken-grub.cfg"), "menuentry \"x\" {\n  linux /vmlinuz root=/dev/sda1\n");
        Process p = new ProcessBuilder("chroot", root.toString(), "grub-script-check", "/tmp/broken-grub.cfg")
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertTrue(p.exitValue() != 0, "grub-script-check must reject a broken file");
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
        Run r = cli("rollback");
        assertEquals(0, r.exit(), r.out() + r.err());
        Map<String, String> after = etc();
        assertEquals(etcBefore.keySet(), after.keySet());
        assertEquals(etcBefore, after);
        String cfg = Files.readString(root.resolve("boot/grub/grub.cfg"));
        for (String l : linuxLines(cfg)) assertFalse(l.contains("intel_iommu=on"), l);
        if (grubCfgBefore != null) assertEquals(linuxLines(grubCfgBefore), linuxLines(cfg));
        String listing = initramfsListing();
        assertFalse(listing.contains("passthrough"), "the initramfs was rebuilt without our files");
    }
}
