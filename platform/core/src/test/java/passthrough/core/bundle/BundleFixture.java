package passthrough.core.bundle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * A host root that trusts one key ("alice"), a second key it does not trust ("mallory"), and helpers to make bundles
 * (honest or crafted) and to prove a refused install wrote nothing.
 */
final class BundleFixture {
    static final String VERSION = "0.1.0";
    static final KeyPair ALICE = SigningKeys.generate();
    static final KeyPair MALLORY = SigningKeys.generate();

    final Path root;
    final Path work;

    /** @param tmp a fresh directory: the root goes in tmp/host, bundles in tmp/work (outside the root) */
    BundleFixture(Path tmp) throws IOException {
        root = Files.createDirectories(tmp.resolve("host"));
        work = Files.createDirectories(tmp.resolve("work"));
        Files.createDirectories(root.resolve("etc/passthrough/trusted-keys"));
        Files.writeString(root.resolve("etc/passthrough/trusted-keys/alice.pub"), SigningKeys.publicKeyPem(ALICE.getPublic()));
        Files.createDirectories(root.resolve("etc/default"));
        Files.writeString(root.resolve("etc/default/grub"), "GRUB_DEFAULT=0\n");
    }

    static byte[] profile(String id) {
        return ("{\"id\": \"" + id + "\", \"name\": \"test profile " + id + "\"}\n").getBytes(StandardCharsets.UTF_8);
    }

    static SortedMap<String, byte[]> entries(String... profileIds) {
        SortedMap<String, byte[]> entries = new TreeMap<>();
        for (String id : profileIds) entries.put("profiles/" + id + ".json", profile(id));
        return entries;
    }

    /** A pf4j plugin jar with these main manifest attributes (none given: not a plugin). */
    static byte[] pluginJar(String... attributes) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        for (int i = 0; i + 1 < attributes.length; i += 2) m.getMainAttributes().putValue(attributes[i], attributes[i + 1]);
        // a pf4j plugin names its provider; the installer audits every bundled jar and the audit asks for one
        if (m.getMainAttributes().getValue("Plugin-Id") != null) m.getMainAttributes().putValue("Plugin-Provider", "Example Ltd");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(out, m)) {
            jar.putNextEntry(new java.util.jar.JarEntry("example/Plugin.class"));
            jar.write(harmlessClass());
            jar.closeEntry();
        }
        return out.toByteArray();
    }

    /** A real, empty class example.Plugin, compiled now: the installer's bytecode audit reads it. */
    static synchronized byte[] harmlessClass() throws IOException {
        if (harmless == null) {
            java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("bundle-fixture");
            java.nio.file.Path src = java.nio.file.Files.createDirectories(dir.resolve("example")).resolve("Plugin.java");
            java.nio.file.Files.writeString(src, "package example;\npublic class Plugin {\n}\n");
            // javac as a process: the tests run on the module path without java.compiler
            try {
                Process p = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "javac").toString(),
                        "--release", "17", "-d", dir.toString(), src.toString()).redirectErrorStream(true).start();
                String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                if (p.waitFor() != 0) throw new IOException("javac failed on " + src + ": " + output);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while compiling " + src, e);
            }
            harmless = java.nio.file.Files.readAllBytes(dir.resolve("example/Plugin.class"));
        }
        return harmless;
    }

    private static byte[] harmless;

    /** The honest zip of these entries with their manifest, signed by {@code signer} (null: unsigned). */
    static byte[] bundle(Map<String, byte[]> entries, KeyPair signer) throws Exception {
        SortedMap<String, byte[]> all = new TreeMap<>(entries);
        byte[] manifest = BundleManifest.of(entries).bytes();
        all.put(BundleLayout.MANIFEST, manifest);
        if (signer != null) all.put(BundleLayout.SIGNATURE, BundleWriter.sign(signer.getPrivate(), manifest));
        return BundleWriter.zip(all);
    }

    /** The manifest text and its signature by {@code signer}, for crafting a bundle around them. */
    static Map<String, byte[]> manifestAndSignature(Map<String, byte[]> listed, KeyPair signer) throws Exception {
        byte[] manifest = BundleManifest.of(listed).bytes();
        return Map.of(BundleLayout.MANIFEST, manifest, BundleLayout.SIGNATURE, BundleWriter.sign(signer.getPrivate(), manifest));
    }

    Path file(String name, byte[] bytes) throws IOException {
        return Files.write(work.resolve(name), bytes);
    }

    BundleInstaller installer() {
        return new BundleInstaller(root, VERSION, BundleEntryCheck.NONE);
    }

    /** Installs and expects a refusal naming every fragment; asserts the root is exactly as before. */
    String refused(Path bundle, BundleInstaller.Options options, String... fragments) throws IOException {
        return refused(installer(), bundle, options, fragments);
    }

    String refused(BundleInstaller installer, Path bundle, BundleInstaller.Options options, String... fragments) throws IOException {
        List<String> before = listing();
        BundleRefusedException e = assertThrows(BundleRefusedException.class, () -> installer.install(bundle, options));
        for (String f : fragments) assertTrue(e.getMessage().contains(f), () -> "expected '" + f + "' in: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(bundle.toString()) || e.getMessage().contains(bundle.getFileName().toString()),
                () -> "the message names the bundle: " + e.getMessage());
        assertEquals(before, listing(), "a refused install writes nothing under the root");
        return e.getMessage();
    }

    static BundleInstaller.Options signedOnly() {
        return new BundleInstaller.Options(false, false);
    }

    /** Every path under the root with its type and size (and a digest of files): what "nothing was written" compares. */
    List<String> listing() throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.map(p -> {
                try {
                    String rel = root.relativize(p).toString();
                    if (Files.isSymbolicLink(p)) return rel + " -> " + Files.readSymbolicLink(p);
                    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) return rel + "/";
                    return rel + " " + BundleManifest.sha256(Files.readAllBytes(p));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sorted().toList();
        }
    }
}
