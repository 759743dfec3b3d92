package passthrough.core.bundle;

import static passthrough.core.bundle.BundleFixture.ALICE;
import static passthrough.core.bundle.BundleFixture.profile;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer makes deterministic, verifiable bundles and refuses directories a bundle cannot hold. */
class BundleWriterTest {
    @TempDir
    Path tmp;

    private Path dir() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("src/profiles"));
        Files.write(dir.resolve("debian-12.json"), profile("debian-12"));
        Files.write(dir.resolve("fedora-40.json"), profile("fedora-40"));
        return dir.getParent();
    }

    @Test
    void theSameDirectoryGivesTheSameBytesAndTheManifestIsSha256sumFormat() throws Exception {
        Path dir = dir();
        Path one = tmp.resolve("one.zip");
        Path two = tmp.resolve("two.zip");
        BundleWriter.Written w = BundleWriter.write(dir, one, ALICE.getPrivate());
        Files.setLastModifiedTime(dir.resolve("profiles/debian-12.json"), FileTime.fromMillis(0));
        BundleWriter.write(dir, two, ALICE.getPrivate());
        assertArrayEquals(Files.readAllBytes(one), Files.readAllBytes(two), "Ed25519 is deterministic and the zip has fixed times");
        assertEquals(List.of("debian-12", "fedora-40"), w.profiles());

        BundleContents read = BundleReader.read(one);
        String manifest = new String(read.manifest(), StandardCharsets.UTF_8);
        assertEquals(BundleManifest.sha256(profile("debian-12")) + "  profiles/debian-12.json\n"
                + BundleManifest.sha256(profile("fedora-40")) + "  profiles/fedora-40.json\n", manifest);
        VerifiedBundle v = new BundleVerifier(List.of(new TrustedKeys.TrustedKey("alice.pub", ALICE.getPublic())), false, "0.1.0",
                BundleEntryCheck.NONE).verify(read);
        assertEquals("alice.pub", v.signer().file());
    }

    @Test
    void refusesWhatABundleCannotHold() throws Exception {
        Path dir = dir();
        Path out = tmp.resolve("b.zip");
        Files.writeString(dir.resolve("README"), "x");
        assertRefused(dir, out, "README", "does not belong");
        Files.delete(dir.resolve("README"));

        Files.createSymbolicLink(dir.resolve("profiles/link.json"), dir.resolve("profiles/debian-12.json"));
        assertRefused(dir, out, "link.json", "is a symbolic link");
        Files.delete(dir.resolve("profiles/link.json"));

        Files.writeString(dir.resolve("profiles/notes.txt"), "x");
        assertRefused(dir, out, "notes.txt", "not a plain *.json file");
        Files.delete(dir.resolve("profiles/notes.txt"));

        Path empty = Files.createDirectories(tmp.resolve("empty/profiles"));
        assertRefused(empty.getParent(), out, "holds no profile");
        assertTrue(Files.notExists(out), "a refused bundle leaves no file");
    }

    private static void assertRefused(Path dir, Path out, String... fragments) {
        BundleRefusedException e = assertThrows(BundleRefusedException.class, () -> BundleWriter.write(dir, out, null));
        for (String f : fragments) assertTrue(e.getMessage().contains(f), () -> "expected '" + f + "' in: " + e.getMessage());
    }
}
