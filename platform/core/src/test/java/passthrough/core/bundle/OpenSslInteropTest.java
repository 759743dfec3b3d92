package passthrough.core.bundle;

import static passthrough.core.bundle.BundleFixture.entries;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key files are the ones openssl makes and reads, proven with the real openssl CLI in both directions. Not skipped
 * when openssl is missing: the test then fails saying so (Debian has it; install the openssl package).
 */
class OpenSslInteropTest {
    @TempDir
    Path tmp;

    private static String openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            return fail("the openssl command is needed for this test and could not be run (" + e.getMessage()
                    + "); install it (apt-get install openssl) and run the test again");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "openssl timed out");
        assertEquals(0, p.exitValue(), () -> String.join(" ", command) + " failed:\n" + out);
        return out;
    }

    @Test
    void aKeyMadeByOpensslSignsABundleThatVerifies() throws Exception {
        openssl(tmp, "genpkey", "-algorithm", "ed25519", "-out", "signer.key");
        openssl(tmp, "pkey", "-in", "signer.key", "-pubout", "-out", "signer.pub");
        BundleFixture host = new BundleFixture(tmp);
        Files.copy(tmp.resolve("signer.pub"), host.root.resolve("etc/passthrough/trusted-keys/signer.pub"));
        Files.delete(host.root.resolve("etc/passthrough/trusted-keys/alice.pub"));
        Path dir = Files.createDirectories(tmp.resolve("src/profiles"));
        Files.write(dir.resolve("debian-12.json"), BundleFixture.profile("debian-12"));

        Path bundle = tmp.resolve("b.zip");
        BundleWriter.write(dir.getParent(), bundle, SigningKeys.readPrivateKey(tmp.resolve("signer.key")));
        BundleInstaller.Installed done = host.installer().install(bundle, BundleFixture.signedOnly());
        assertEquals("/etc/passthrough/trusted-keys/signer.pub", done.bundle().signer().file());

        // and openssl itself agrees the signature is good
        BundleContents read = BundleReader.read(bundle);
        Files.write(tmp.resolve("manifest"), read.manifest());
        Files.write(tmp.resolve("manifest.sig"), Base64.getMimeDecoder().decode(new String(read.signature(), StandardCharsets.US_ASCII).strip()));
        String verified = openssl(tmp, "pkeyutl", "-verify", "-pubin", "-inkey", "signer.pub", "-rawin", "-in", "manifest",
                "-sigfile", "manifest.sig");
        assertTrue(verified.contains("Signature Verified Successfully"), verified);
    }

    @Test
    void aKeyMadeByKeygenIsReadAndUsedByOpenssl() throws Exception {
        SigningKeys.writeKeyPair(SigningKeys.generate(), tmp.resolve("ours"));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(tmp.resolve("ours.key"))));
        // openssl reads both files and derives the same public key from the private one
        String derived = openssl(tmp, "pkey", "-in", "ours.key", "-pubout");
        assertEquals(Files.readString(tmp.resolve("ours.pub")), derived);
        openssl(tmp, "pkey", "-pubin", "-in", "ours.pub", "-noout");

        // openssl signs a manifest with our key; our verifier accepts the bundle built around that signature
        SortedMap<String, byte[]> e = entries("debian-12");
        byte[] manifest = BundleManifest.of(e).bytes();
        Files.write(tmp.resolve("manifest"), manifest);
        openssl(tmp, "pkeyutl", "-sign", "-inkey", "ours.key", "-rawin", "-in", "manifest", "-out", "manifest.sig");
        SortedMap<String, byte[]> all = new TreeMap<>(e);
        all.put(BundleLayout.MANIFEST, manifest);
        all.put(BundleLayout.SIGNATURE, (Base64.getEncoder().encodeToString(Files.readAllBytes(tmp.resolve("manifest.sig"))) + "\n")
                .getBytes(StandardCharsets.US_ASCII));
        BundleFixture host = new BundleFixture(tmp);
        Files.copy(tmp.resolve("ours.pub"), host.root.resolve("etc/passthrough/trusted-keys/ours.pub"));
        Path bundle = host.file("b.zip", BundleWriter.zip(all));
        BundleInstaller.Installed done = host.installer().install(bundle, BundleFixture.signedOnly());
        assertEquals("/etc/passthrough/trusted-keys/ours.pub", done.bundle().signer().file());
    }
}
