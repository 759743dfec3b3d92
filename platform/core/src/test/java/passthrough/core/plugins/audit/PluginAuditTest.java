package passthrough.core.plugins.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit on real byte code: plugin classes compiled here (javac of this JDK, run as a process because the tests run
 * on the module path without java.compiler) into jars, one class per forbidden API, each with its offending call on
 * line 3 of its source.
 */
class PluginAuditTest {
    /** class name, the offending statement (line 3), what the violation's target starts with, its reason. */
    record Case(String name, String statement, String target, String reason) {
    }

    static final List<Case> CASES = List.of(
            new Case("WritesFiles", "java.nio.file.Files.writeString(java.nio.file.Path.of(\"x\"), \"x\");", "java.nio.file.Files.writeString", "writes files"),
            new Case("DeletesFiles", "java.nio.file.Files.delete(java.nio.file.Path.of(\"x\"));", "java.nio.file.Files.delete", "writes files"),
            new Case("CreatesFiles", "java.nio.file.Files.createDirectories(java.nio.file.Path.of(\"x\"));", "java.nio.file.Files.createDirectories", "writes files"),
            new Case("MovesFiles", "java.nio.file.Files.move(java.nio.file.Path.of(\"a\"), java.nio.file.Path.of(\"b\"));", "java.nio.file.Files.move", "writes files"),
            new Case("CopiesFiles", "java.nio.file.Files.copy(java.nio.file.Path.of(\"a\"), java.nio.file.Path.of(\"b\"));", "java.nio.file.Files.copy", "writes files"),
            new Case("OpensFileOutputStream", "new java.io.FileOutputStream(\"x\").close();", "java.io.FileOutputStream.<init>", "writes files"),
            new Case("OpensFileWriter", "new java.io.FileWriter(\"x\").close();", "java.io.FileWriter.<init>", "writes files"),
            new Case("OpensRandomAccessFile", "new java.io.RandomAccessFile(\"x\", \"rw\").close();", "java.io.RandomAccessFile.<init>", "writes files"),
            new Case("PrintsToAFile", "new java.io.PrintWriter(\"x\").close();", "java.io.PrintWriter.<init>", "opens a file for writing"),
            new Case("PrintStreamToAFile", "new java.io.PrintStream(new java.io.File(\"x\")).close();", "java.io.PrintStream.<init>", "opens a file for writing"),
            new Case("MakesDirectories", "new java.io.File(\"x\").mkdir();", "java.io.File.mkdir", "changes the file system"),
            new Case("RenamesFiles", "new java.io.File(\"x\").renameTo(new java.io.File(\"y\"));", "java.io.File.renameTo", "changes the file system"),
            new Case("SetsExecutable", "new java.io.File(\"x\").setExecutable(true);", "java.io.File.setExecutable", "changes the file system"),
            new Case("StartsProcesses", "new ProcessBuilder(\"true\").start();", "java.lang.ProcessBuilder", "starts processes"),
            new Case("ExecsCommands", "Runtime.getRuntime().exec(new String[] {\"true\"});", "java.lang.Runtime.exec", "starts processes"),
            new Case("KillsProcesses", "ProcessHandle.current().destroy();", "java.lang.ProcessHandle", "controls processes"),
            new Case("OpensSockets", "new java.net.Socket(\"example.com\", 80).close();", "java.net.Socket", "opens network connections"),
            new Case("OpensUrls", "new java.net.URL(\"http://example.com\").openStream().close();", "java.net.URL.openStream", "opens network connections"),
            new Case("ConnectsUrls", "new java.net.URL(\"http://example.com\").openConnection();", "java.net.URL.openConnection", "opens network connections"),
            new Case("UsesHttpClient", "java.net.http.HttpClient.newHttpClient();", "java.net.http.HttpClient", "opens network connections"),
            new Case("SetsAccessible", "String.class.getDeclaredField(\"value\").setAccessible(true);", "java.lang.reflect.Field.setAccessible", "reflects into private members"),
            new Case("PrivateLookup", "java.lang.invoke.MethodHandles.privateLookupIn(String.class, java.lang.invoke.MethodHandles.lookup());", "java.lang.invoke.MethodHandles.privateLookupIn", "reflects into private members"),
            new Case("UsesUnsafe", "Object u = sun.misc.Unsafe.class;", "sun.misc.Unsafe", "reaches into the JVM's internals"),
            new Case("LoadsByName", "Class.forName(\"java.lang.String\");", "java.lang.Class.forName", "loads classes"),
            new Case("NewClassLoader", "new java.net.URLClassLoader(new java.net.URL[0]).close();", "java.net.URLClassLoader.<init>", "loads classes"),
            new Case("DefinesHiddenClasses", "java.lang.invoke.MethodHandles.lookup().defineClass(new byte[0]);", "java.lang.invoke.MethodHandles$Lookup.defineClass", "loads classes"),
            new Case("ExitsTheJvm", "System.exit(1);", "java.lang.System.exit", "ends the JVM"),
            new Case("HaltsTheJvm", "Runtime.getRuntime().halt(1);", "java.lang.Runtime.halt", "ends the JVM"),
            new Case("LoadsLibraries", "System.loadLibrary(\"evil\");", "java.lang.System.loadLibrary", "loads native code"),
            new Case("LoadsNativeFiles", "System.load(\"/tmp/evil.so\");", "java.lang.System.load", "loads native code"),
            new Case("UsesOtherLibraries", "Object m = new com.fasterxml.jackson.databind.ObjectMapper();", "com.fasterxml.jackson.databind.ObjectMapper", "is outside what a plugin may use"));

    static final String CLEAN = """
            package vendor.clean;

            import java.util.ArrayList;
            import java.util.List;
            import passthrough.api.Finding;
            import passthrough.api.GuestQuirk;
            import passthrough.api.HostFacts;
            import passthrough.api.PciDevice;
            import passthrough.api.Reservation;
            import passthrough.api.QuirkResult;
import passthrough.api.VmSpec;

            @org.pf4j.Extension
            public class CleanQuirk implements GuestQuirk {
                public String id() { return "clean"; }
                public QuirkResult features(HostFacts facts, VmSpec vm) { return QuirkResult.none(); }
                public List<Finding> advise(HostFacts facts, Reservation r) {
                    List<Finding> out = new ArrayList<>();
                    for (PciDevice d : r.devices()) out.add(Finding.info("SEEN", d.address().toString()));
                    return out;
                }
            }
            """;

    static Path classes;

    @TempDir
    static Path work;

    @BeforeAll
    static void compileThePlugins() throws Exception {
        Path src = Files.createDirectories(work.resolve("src"));
        List<String> files = new ArrayList<>();
        for (Case c : CASES) {
            Path f = src.resolve("vendor/evil/" + c.name() + ".java");
            Files.createDirectories(f.getParent());
            Files.writeString(f, "package vendor.evil;\npublic class " + c.name() + " { public void run() throws Throwable {\n        "
                    + c.statement() + "\n} }\n");
            files.add(f.toString());
        }
        Path extendsClassLoader = src.resolve("vendor/evil/ExtendsClassLoader.java");
        Files.writeString(extendsClassLoader, "package vendor.evil;\npublic class ExtendsClassLoader extends ClassLoader {\n}\n");
        files.add(extendsClassLoader.toString());
        Path marker = src.resolve("vendor/evil/LoadMarker.java");
        Files.writeString(marker, "package vendor.evil;\npublic class LoadMarker {\n    static { System.setProperty(\"audit.test.loaded\", \"yes\"); }\n}\n");
        files.add(marker.toString());
        Path clean = src.resolve("vendor/clean/CleanQuirk.java");
        Files.createDirectories(clean.getParent());
        Files.writeString(clean, CLEAN);
        files.add(clean.toString());

        classes = Files.createDirectories(work.resolve("classes"));
        String cp = String.join(File.pathSeparator, location(passthrough.api.GuestQuirk.class), location(org.pf4j.Extension.class),
                location(com.fasterxml.jackson.databind.ObjectMapper.class));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "javac").toString(),
                "--release", "17", "-proc:none", "-nowarn", "-XDignore.symbol.file", "-cp", cp, "-d", classes.toString()));
        cmd.addAll(files);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), output);
    }

    static String location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

    static Path jar(String name, String packageDir, boolean withManifest) throws Exception {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().putValue("Plugin-Id", name);
        mf.getMainAttributes().putValue("Plugin-Version", "1.0.0");
        mf.getMainAttributes().putValue("Plugin-Provider", "a vendor");
        mf.getMainAttributes().putValue("Plugin-Requires", ">=0.1.0");
        Path jar = work.resolve(name + ".jar");
        try (OutputStream o = Files.newOutputStream(jar);
             JarOutputStream j = withManifest ? new JarOutputStream(o, mf) : new JarOutputStream(o);
             Stream<Path> files = Files.walk(classes.resolve(packageDir))) {
            for (Path c : files.filter(Files::isRegularFile).sorted().toList()) {
                j.putNextEntry(new JarEntry(classes.relativize(c).toString()));
                j.write(Files.readAllBytes(c));
            }
        }
        return jar;
    }

    @Test
    void everyForbiddenApiIsFoundWithClassMethodAndLine() throws Exception {
        PluginAuditResult r = PluginAudit.audit(jar("evil", "vendor/evil", true));
        assertFalse(r.clean());
        List<String> missing = new ArrayList<>();
        for (Case c : CASES) {
            boolean found = r.violations().stream().anyMatch(v -> v.className().equals("vendor.evil." + c.name())
                    && v.methodName().equals("run") && v.line() == 3 && v.target().startsWith(c.target())
                    && v.reason().startsWith(c.reason()));
            if (!found) missing.add(c.name() + " (" + c.target() + ")");
        }
        assertEquals(List.of(), missing, () -> "violations found: " + String.join("\n", r.violations().stream().map(Object::toString).toList()));
        assertTrue(r.violations().stream().anyMatch(v -> v.className().equals("vendor.evil.ExtendsClassLoader")
                && v.target().equals("java.lang.ClassLoader") && v.reason().equals("loads classes")), r.violations().toString());
        AuditViolation exit = r.violations().stream().filter(v -> v.className().endsWith("ExitsTheJvm")).findFirst().orElseThrow();
        assertEquals("vendor.evil.ExitsTheJvm.run:3 → java.lang.System.exit(int) (ends the JVM)", exit.toString());
    }

    @Test
    void theAuditNeverLoadsAClassOfTheJar() throws Exception {
        PluginAudit.audit(jar("evil-marker", "vendor/evil", true));
        assertNull(System.getProperty("audit.test.loaded"), "LoadMarker's static initializer ran: a class was loaded");
    }

    @Test
    void aCleanPluginPasses() throws Exception {
        Path jar = jar("clean", "vendor/clean", true);
        PluginAuditResult r = PluginAudit.audit(jar);
        assertTrue(r.clean(), () -> r.reasons().toString());
        assertEquals(1, r.classCount());
        assertEquals("clean", r.manifest().id());
        assertEquals(">=0.1.0", r.manifest().requires());
        assertEquals(64, r.sha256().length());
    }

    @Test
    void aJarWithoutAPf4jManifestIsRefused() throws Exception {
        PluginAuditResult r = PluginAudit.audit(jar("no-manifest", "vendor/clean", false));
        assertFalse(r.clean());
        assertFalse(r.manifest().valid());
        assertTrue(r.manifest().problems().get(0).contains("no META-INF/MANIFEST.MF"), r.manifest().problems().toString());
    }

    @Test
    void missingAndInvalidManifestFieldsAreEachNamed() {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().putValue("Plugin-Id", "has space");
        mf.getMainAttributes().putValue("Plugin-Version", "one");
        PluginManifest m = PluginManifest.of(mf);
        String all = String.join("\n", m.problems());
        assertEquals(4, m.problems().size(), all);
        assertTrue(all.contains("Plugin-Id 'has space' is invalid") && all.contains("Plugin-Version 'one' is not a semantic version")
                && all.contains("Plugin-Provider is missing") && all.contains("Plugin-Requires is missing"), all);
    }

    @Test
    void pluginRequiresIsCheckedAsPf4jDoes() {
        assertTrue(PluginInstaller.compatible("0.1.0", ">=0.1.0"));
        assertTrue(PluginInstaller.compatible("0.1.0", "*"));
        assertFalse(PluginInstaller.compatible("0.1.0", ">=2.0.0"));
        assertFalse(PluginInstaller.compatible("0.1.0", "not a constraint"));
    }
}
