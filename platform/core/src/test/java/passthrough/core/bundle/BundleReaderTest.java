package passthrough.core.bundle;

import static passthrough.core.bundle.BundleFixture.ALICE;
import static passthrough.core.bundle.BundleFixture.MALLORY;
import static passthrough.core.bundle.BundleFixture.bundle;
import static passthrough.core.bundle.BundleFixture.entries;
import static passthrough.core.bundle.BundleFixture.manifestAndSignature;
import static passthrough.core.bundle.BundleFixture.profile;
import static passthrough.core.bundle.BundleFixture.signedOnly;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way a bundle can be tampered with or crafted is refused with a message naming the bundle, the entry and the
 * reason, and the root is byte for byte as before (each test compares a listing of it).
 */
class BundleReaderTest {
    @TempDir
    Path tmp;
    BundleFixture host;

    @BeforeEach
    void setUp() throws Exception {
        host = new BundleFixture(tmp);
    }

    /** A signed bundle's manifest and signature, and the entries around them given separately (to tamper with). */
    private RawZip signedAround(SortedMap<String, byte[]> listed) throws Exception {
        RawZip zip = new RawZip();
        Map<String, byte[]> ms = manifestAndSignature(listed, ALICE);
        zip.add(BundleLayout.MANIFEST, ms.get(BundleLayout.MANIFEST));
        zip.add(BundleLayout.SIGNATURE, ms.get(BundleLayout.SIGNATURE));
        return zip;
    }

    @Test
    void aChangedByteFailsItsChecksum() throws Exception {
        byte[] changed = profile("debian-12");
        changed[10] ^= 1;
        Path b = host.file("b.zip", signedAround(entries("debian-12")).add("profiles/debian-12.json", changed).bytes());
        host.refused(b, signedOnly(), "profiles/debian-12.json", "does not match its SHA-256 in MANIFEST.sha256", "get it again");
    }

    @Test
    void aChangedManifestNoLongerVerifies() throws Exception {
        byte[] honest = bundle(entries("debian-12"), ALICE);
        SortedMap<String, byte[]> changed = entries("debian-12");
        changed.put("profiles/debian-12.json", "{\"id\": \"debian-12\", \"evil\": true}".getBytes(StandardCharsets.UTF_8));
        RawZip zip = new RawZip().add(BundleLayout.MANIFEST, BundleManifest.of(changed).bytes())
                .add(BundleLayout.SIGNATURE, BundleReader.read("honest", honest).signature());
        changed.forEach(zip::add);
        host.refused(host.file("b.zip", zip.bytes()), signedOnly(), "MANIFEST.sha256.sig", "does not verify with any of the 1 trusted key");
    }

    @Test
    void anExtraFileNotInTheManifestIsRefused() throws Exception {
        RawZip zip = signedAround(entries("debian-12")).add("profiles/debian-12.json", profile("debian-12"))
                .add("profiles/extra.json", profile("extra"));
        host.refused(host.file("b.zip", zip.bytes()), signedOnly(), "profiles/extra.json", "is not listed in MANIFEST.sha256");
    }

    @Test
    void aListedEntryThatIsMissingIsRefused() throws Exception {
        RawZip zip = signedAround(entries("debian-12", "fedora-40")).add("profiles/debian-12.json", profile("debian-12"));
        host.refused(host.file("b.zip", zip.bytes()), signedOnly(), "profiles/fedora-40.json", "listed in MANIFEST.sha256 but missing");
    }

    @Test
    void aMissingSignatureIsRefusedUnlessUnsignedIsAllowed() throws Exception {
        Path b = host.file("b.zip", bundle(entries("debian-12"), null));
        host.refused(b, signedOnly(), "MANIFEST.sha256.sig", "not signed", "--allow-unsigned");
        host.installer().install(b, new BundleInstaller.Options(true, false));
        assertTrue(Files.exists(host.root.resolve("etc/passthrough/profiles/debian-12.json")));
    }

    @Test
    void aMissingManifestIsRefusedEvenWhenUnsignedIsAllowed() throws Exception {
        Path b = host.file("b.zip", new RawZip().add("profiles/debian-12.json", profile("debian-12")).bytes());
        host.refused(b, new BundleInstaller.Options(true, false), "MANIFEST.sha256", "is missing");
    }

    @Test
    void aSignatureByAnotherKeyIsRefused() throws Exception {
        Path b = host.file("b.zip", bundle(entries("debian-12"), MALLORY));
        host.refused(b, signedOnly(), "MANIFEST.sha256.sig", "does not verify with any of the 1 trusted key",
                "etc/passthrough/trusted-keys");
    }

    @Test
    void noTrustedKeysAtAllIsRefused() throws Exception {
        Files.delete(host.root.resolve("etc/passthrough/trusted-keys/alice.pub"));
        Path b = host.file("b.zip", bundle(entries("debian-12"), ALICE));
        host.refused(b, signedOnly(), "no trusted keys", "copy the signer's .pub file");
    }

    @Test
    void zipSlipWithDotDotIsRefused() throws Exception {
        Path b = host.file("b.zip", new RawZip().add("profiles/../../../x.json", profile("x")).bytes());
        host.refused(b, signedOnly(), "profiles/../../../x.json", "contains '..'");
        Path plain = host.file("c.zip", new RawZip().add("../x", "x").bytes());
        host.refused(plain, signedOnly(), "../x", "contains '..'");
    }

    @Test
    void anAbsoluteNameIsRefused() throws Exception {
        Path b = host.file("b.zip", new RawZip().add("/etc/x", "x").bytes());
        host.refused(b, signedOnly(), "/etc/x", "absolute path");
    }

    @Test
    void aBackslashIsRefused() throws Exception {
        Path b = host.file("b.zip", new RawZip().add("profiles\\x.json", profile("x")).bytes());
        host.refused(b, signedOnly(), "backslash");
    }

    @Test
    void aSymbolicLinkEntryIsRefused() throws Exception {
        Path b = host.file("b.zip", new RawZip().addWithMode("profiles/debian-12.json", "/etc/shadow".getBytes(StandardCharsets.UTF_8), 0120777).bytes());
        host.refused(b, signedOnly(), "profiles/debian-12.json", "is a symbolic link");
    }

    @Test
    void aDeviceEntryIsRefused() throws Exception {
        Path b = host.file("b.zip", new RawZip().addWithMode("profiles/debian-12.json", new byte[0], 0020644).bytes());
        host.refused(b, signedOnly(), "profiles/debian-12.json", "device");
    }

    @Test
    void aHugeDeclaredSizeIsRefusedBeforeInflating() throws Exception {
        Path b = host.file("b.zip", new RawZip().addLyingSize("profiles/debian-12.json", profile("debian-12"), 3L << 30).bytes());
        host.refused(b, signedOnly(), "profiles/debian-12.json", "declares 3221225472 bytes");
    }

    @Test
    void aZipBombIsStoppedWhileInflating() throws Exception {
        byte[] zeros = new byte[40 * 1024 * 1024]; // deflates to about 40 KB
        Path b = host.file("b.zip", new RawZip().addLyingSize("profiles/debian-12.json", zeros, 1000).bytes());
        assertTrue(Files.size(b) < 100_000, "the bomb is small on disk");
        host.refused(b, signedOnly(), "profiles/debian-12.json", "inflates to more than the 1000 bytes its header declares");
    }

    @Test
    void aZipBombDeclaringTheLimitIsStoppedAtTheLimit() throws Exception {
        byte[] zeros = new byte[40 * 1024 * 1024];
        Path b = host.file("b.zip", new RawZip().addLyingSize("profiles/debian-12.json", zeros, BundleLayout.MAX_ENTRY_BYTES).bytes());
        host.refused(b, signedOnly(), "profiles/debian-12.json", "inflates to more than 16777216 bytes");
    }

    @Test
    void aTotalAboveTheLimitIsRefused() throws Exception {
        RawZip zip = new RawZip();
        for (int i = 0; i < 5; i++) zip.addLyingSize("profiles/p" + i + ".json", profile("p" + i), BundleLayout.MAX_ENTRY_BYTES);
        host.refused(host.file("b.zip", zip.bytes()), signedOnly(), "profiles/p4.json", "declared size above 67108864");
    }

    @Test
    void notAZipAtAllIsRefused() throws Exception {
        Path b = host.file("b.zip", "#!/bin/sh\nrm -rf /\n".getBytes(StandardCharsets.UTF_8));
        host.refused(b, signedOnly(), "is not a zip archive");
        Path empty = host.file("empty.zip", new byte[0]);
        host.refused(empty, signedOnly(), "is not a zip archive");
    }

    @Test
    void duplicateNamesAreRefused() throws Exception {
        RawZip zip = signedAround(entries("debian-12")).add("profiles/debian-12.json", profile("debian-12"))
                .add("profiles/debian-12.json", "{\"id\": \"debian-12\", \"evil\": true}");
        host.refused(host.file("b.zip", zip.bytes()), signedOnly(), "profiles/debian-12.json", "appears twice");
    }

    @Test
    void unknownTopLevelAndNestedEntriesAreRefused() throws Exception {
        host.refused(host.file("a.zip", new RawZip().add("README.txt", "hi").bytes()), signedOnly(), "README.txt", "unexpected place");
        host.refused(host.file("b.zip", new RawZip().add("profiles/sub/x.json", profile("x")).bytes()), signedOnly(),
                "profiles/sub/x.json", "unexpected place");
        host.refused(host.file("c.zip", new RawZip().add("plugins/x.sh", "echo").bytes()), signedOnly(), "plugins/x.sh", "unexpected place");
        host.refused(host.file("d.zip", new RawZip().add("etc/", new byte[0]).bytes()), signedOnly(), "etc/", "directory");
    }

    @Test
    void theTwoDirectoryEntriesAreHarmless() throws Exception {
        SortedMap<String, byte[]> e = entries("debian-12");
        RawZip zip = signedAround(e).add("profiles/", new byte[0]).add("plugins/", new byte[0]);
        e.forEach(zip::add);
        host.installer().install(host.file("b.zip", zip.bytes()), signedOnly());
        assertTrue(Files.exists(host.root.resolve("etc/passthrough/profiles/debian-12.json")));
    }

    @Test
    void aBrokenManifestIsRefused() throws Exception {
        SortedMap<String, byte[]> e = new TreeMap<>(entries("debian-12"));
        byte[] manifest = ("  profiles/debian-12.json\n").getBytes(StandardCharsets.UTF_8);
        RawZip zip = new RawZip().add(BundleLayout.MANIFEST, manifest).add(BundleLayout.SIGNATURE, BundleWriter.sign(ALICE.getPrivate(), manifest));
        e.forEach(zip::add);
        host.refused(host.file("b.zip", zip.bytes()), signedOnly(), "MANIFEST.sha256", "line 1");
    }
}
