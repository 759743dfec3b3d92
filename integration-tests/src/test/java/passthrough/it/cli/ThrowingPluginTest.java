package passthrough.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A third-party pf4j plugin whose code throws (a bug, or host input it cannot read) ends the command with a refusal
 * naming the plugin and the call, exit 3, nothing written; never exit 70 "internal error" without a name. The plugin
 * is a real jar, compiled here against the api and loaded by pf4j through --plugins-dir.
 */
class ThrowingPluginTest {
    static final String SOURCE = """
            package vendor.broken;

            import passthrough.api.BindingStrategy;
            import passthrough.api.Contribution;
            import passthrough.api.HostFacts;
            import passthrough.api.Reservation;

            public class BrokenBinding implements BindingStrategy {
                public String id() { return "broken-binding"; }
                public String driverName() { return "broken"; }
                public boolean isAvailable(HostFacts facts) { return false; }
                public Contribution reserve(HostFacts facts, Reservation r) { return Contribution.of(java.util.List.of()); }
                public Contribution release(HostFacts facts, Reservation r) {
                    // what a careless parser of a hand-kept file does
                    int index = Integer.parseInt("99999999999");
                    return Contribution.of(java.util.List.<passthrough.api.Change>of().subList(0, index));
                }
            }
            """;

    static Path pluginJar(Path dir) throws Exception {
        Path src = dir.resolve("src/vendor/broken/BrokenBinding.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, SOURCE);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        // against the api and pf4j only, as a vendor would (surefire's own class path is a manifest-only jar)
        String classPath = Path.of(passthrough.api.BindingStrategy.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                + java.io.File.pathSeparator
                + Path.of(org.pf4j.ExtensionPoint.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        java.io.StringWriter diagnostics = new java.io.StringWriter();
        int rc = javac.run(null, null, new java.io.PrintStream(new java.io.ByteArrayOutputStream()) {
            @Override
            public void write(byte[] b, int off, int len) {
                diagnostics.write(new String(b, off, len, StandardCharsets.UTF_8));
            }
        }, "--release", "17", "-proc:none", "-cp", classPath, "-d", classes.toString(), src.toString());
        assertEquals(0, rc, () -> "the test plugin compiles: " + diagnostics);
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().putValue("Plugin-Id", "broken-vendor");
        mf.getMainAttributes().putValue("Plugin-Version", "1.0.0");
        mf.getMainAttributes().putValue("Plugin-Provider", "a vendor");
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Path jar = plugins.resolve("broken-vendor-1.0.0.jar");
        try (OutputStream o = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(o, mf)) {
            j.putNextEntry(new JarEntry("META-INF/extensions.idx"));
            j.write("vendor.broken.BrokenBinding\n".getBytes(StandardCharsets.UTF_8));
            try (Stream<Path> files = Files.walk(classes)) {
                for (Path c : files.filter(Files::isRegularFile).toList()) {
                    j.putNextEntry(new JarEntry(classes.relativize(c).toString()));
                    j.write(Files.readAllBytes(c));
                }
            }
        }
        return plugins;
    }

    @Test
    void aPluginThatThrowsIsARefusalNamingThePluginAndNothingIsWritten(@TempDir Path tmp) throws Exception {
        Path plugins = pluginJar(tmp.resolve("build"));
        Path root = Cli.copyTree(Cli.sample("seed1-ubuntu-18.04"), tmp.resolve("host"));
        byte[] grub = Files.readAllBytes(root.resolve("etc/default/grub"));
        List<String> listed = List.of(Cli.run("--plugins-dir", plugins.toString(), "plugins").exits(0).out().split("\n"));
        assertTrue(listed.stream().anyMatch(l -> l.contains("broken-binding")), "pf4j loaded it: " + listed);

        Cli.Result plan = Cli.run("--plugins-dir", plugins.toString(), "--root", root.toString(), "plan", "--device", "65:00.0")
                .exits(3);
        assertTrue(plan.err().contains("broken-binding (plugin broken-vendor)") && plan.err().contains("BindingStrategy.release")
                && plan.err().contains("NumberFormatException"), plan.err());
        assertFalse(plan.err().contains("internal error"), plan.err());

        Cli.Result apply = Cli.run("--plugins-dir", plugins.toString(), "--root", root.toString(), "apply", "--device",
                "65:00.0", "--yes", "--no-commands").exits(3);
        assertTrue(apply.err().contains("broken-binding"), apply.err());
        assertEquals(new String(grub), Files.readString(root.resolve("etc/default/grub")));
        assertFalse(Files.exists(root.resolve("var/lib/passthrough/transactions")) && Files.list(
                root.resolve("var/lib/passthrough/transactions")).findAny().isPresent(), "no transaction was journaled");
    }
}
