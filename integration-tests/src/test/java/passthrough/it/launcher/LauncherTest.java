package passthrough.it.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real launcher on the real bundle: JPMS module path (so missing `opens` would fail here), from the checkout,
 * through a symlink on PATH, and from the unpacked tar.gz.
 */
class LauncherTest {
    static final Path REPO = Path.of(System.getProperty("passthrough.repo", "..")).toAbsolutePath().normalize();
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static Path emptyHost;

    record Run(int exit, String out, String err) {
    }

    @BeforeAll
    static void host() throws Exception {
        emptyHost = Files.createDirectories(tmp.resolve("host/sys"));
        Files.createDirectories(tmp.resolve("host/proc"));
        Files.writeString(tmp.resolve("host/proc/cpuinfo"), "vendor_id\t: GenuineIntel\nflags\t\t: fpu vmx\n");
    }

    static Run run(Path launcher, String... args) throws Exception {
        return run(null, launcher, args);
    }

    static Run run(Path installedPlugins, Path launcher, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("PASSTHROUGH_CDS", "off");
        if (installedPlugins == null) pb.environment().remove("PASSTHROUGH_PLUGINS");
        else pb.environment().put("PASSTHROUGH_PLUGINS", installedPlugins.toString());
        Path errFile = Files.createTempFile(tmp, "err", ".txt");
        pb.redirectError(errFile.toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher did not finish");
        return new Run(p.exitValue(), out, Files.readString(errFile));
    }

    @Test
    void runsFromTheCheckoutOnTheModulePath() throws Exception {
        Run v = run(REPO.resolve("bin/passthrough"), "--version");
        assertEquals(0, v.exit(), v.err());
        assertTrue(v.out().startsWith("passthrough "), v.out());
        Run plugins = run(REPO.resolve("bin/passthrough"), "plugins", "--json");
        assertEquals(0, plugins.exit(), plugins.err());
        JsonNode json = JSON.readTree(plugins.out());
        List<String> ids = new ArrayList<>();
        json.get("plugins").forEach(p -> ids.add(p.get("id").asText() + ":" + p.get("state").asText()));
        assertTrue(ids.containsAll(List.of("amd-vi:STARTED", "intel-vtd:STARTED", "grub-debian:STARTED", "grub-lfs:STARTED")), ids.toString());
        assertTrue(ids.stream().allMatch(i -> i.endsWith(":STARTED")), "every bundled plugin starts: " + ids);
    }

    /**
     * Each command's --json document through the real launcher: Jackson must be able to read every JSON view on the
     * module path (verify --json once failed there with exit 70: its record was in a package not opened to Jackson).
     */
    @Test
    void everyJsonDocumentIsWrittenOnTheModulePath() throws Exception {
        Path host = passthrough.it.cli.Cli.copyTree(REPO.resolve("samples/hosts/seed1-ubuntu-18.04"), tmp.resolve("seed1"));
        Path launcher = REPO.resolve("bin/passthrough");
        List<List<String>> commands = List.of(List.of("check"), List.of("groups"), List.of("plugins"),
                List.of("report", "--out", tmp.resolve("seed1.tar.gz").toString()), List.of("plan", "--device", "65:00.0"),
                List.of("apply", "--device", "65:00.0", "--yes", "--no-commands"), List.of("history"),
                List.of("rollback", "--no-commands"), List.of("verify", "--device", "65:00.0"),
                List.of("plan", "--device", "17:00.0"));
        for (List<String> c : commands) {
            List<String> args = new ArrayList<>(List.of("--root", host.toString(), "--json"));
            args.addAll(c);
            Run r = run(launcher, args.toArray(String[]::new));
            assertTrue(r.exit() != 70 && !r.err().contains("internal error"), c + ": " + r.err());
            JsonNode json = JSON.readTree(r.out());
            assertEquals(1, json.get("schemaVersion").asInt(), c + ": " + r.out());
            assertEquals(c.get(0), json.get("command").asText(), c + ": " + r.out());
        }
    }

    @Test
    void verboseLogsGoToStderrAndJsonStaysClean() throws Exception {
        Run r = run(REPO.resolve("bin/passthrough"), "-v", "--root", emptyHost.getParent().toString(), "check", "--json");
        assertEquals(1, r.exit(), r.err());
        JsonNode json = JSON.readTree(r.out()); // throws if anything else is on stdout
        assertEquals("intel", json.get("cpu").get("vendor").asText());
        assertEquals("intel-vtd", json.get("iommu").get("probe").asText());
        assertTrue(r.err().contains("DEBUG") || r.err().contains("INFO"), "-v logs on stderr: " + r.err());
    }

    @Test
    void runsThroughASymlinkOnPath() throws Exception {
        Path bin = Files.createDirectories(tmp.resolve("pathbin"));
        Path link = Files.createSymbolicLink(bin.resolve("passthrough"), REPO.resolve("bin/passthrough"));
        Run r = run(link, "--root", emptyHost.getParent().toString(), "groups");
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.out().contains("The IOMMU is not active"), r.out());
    }

    @Test
    void runsFromTheUnpackedDistribution() throws Exception {
        Path archive = REPO.resolve("distro-profiles/target/passthrough.tar.gz");
        Path dest = Files.createDirectories(tmp.resolve("unpacked"));
        Process tar = new ProcessBuilder("tar", "xzf", archive.toString(), "-C", dest.toString()).inheritIO().start();
        assertEquals(0, tar.waitFor());
        Path launcher = dest.resolve("passthrough/bin/passthrough");
        Run r = run(launcher, "plugins");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains(dest.resolve("passthrough/plugins").toString()), r.out());
        assertTrue(r.out().contains("intel-vtd") && r.out().contains("STARTED"), r.out());
    }

    @Test
    void usageErrorsExitTwoWithOneLine() throws Exception {
        Run r = run(REPO.resolve("bin/passthrough"), "--root", tmp.resolve("does-not-exist").toString(), "check");
        assertEquals(2, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("does-not-exist") && r.err().contains("no such directory"), r.err());
        Run bad = run(REPO.resolve("bin/passthrough"), "frobnicate");
        assertEquals(2, bad.exit());
        assertTrue(bad.err().contains("frobnicate"), bad.err());
    }

    @Test
    void pluginsDirAddsPluginsAndABrokenJarIsReportedNotFatal() throws Exception {
        Path none = Files.createDirectories(tmp.resolve("no-installed-plugins"));
        Path extra = Files.createDirectories(tmp.resolve("extra-plugins"));
        Path bundlePlugins = REPO.resolve("distro-profiles/target/passthrough/passthrough/plugins");
        try (var jars = Files.list(bundlePlugins)) {
            for (Path jar : jars.filter(j -> j.getFileName().toString().contains("intel-vtd")).toList()) {
                Files.copy(jar, extra.resolve(jar.getFileName()));
            }
        }
        Files.writeString(extra.resolve("broken-plugin.jar"), "this is not a jar");
        Run r = run(none, REPO.resolve("bin/passthrough"), "plugins", "--plugins-dir", extra.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode json = JSON.readTree(r.out());
        assertEquals(1, json.get("plugins").size(), r.out());
        assertEquals("intel-vtd", json.get("plugins").get(0).get("id").asText());
        assertEquals(1, json.get("problems").size(), r.out());
        assertTrue(json.get("problems").get(0).get("path").asText().endsWith("broken-plugin.jar"));
        Run text = run(none, REPO.resolve("bin/passthrough"), "plugins", "--plugins-dir", extra.toString());
        assertTrue(text.out().contains("Plugins skipped because of errors:") && text.out().contains("broken-plugin.jar"), text.out());
    }
}
