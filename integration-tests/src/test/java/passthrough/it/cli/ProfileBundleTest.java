package passthrough.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `passthrough profiles keygen | bundle | install` through the real CLI on a copy of a sample host. */
class ProfileBundleTest {
    @TempDir
    Path tmp;
    Path root;
    Path src;

    @BeforeEach
    void setUp() throws Exception {
        root = Cli.copyTree(Cli.sample("seed1-ubuntu-18.04"), tmp.resolve("host"));
        src = Files.createDirectories(tmp.resolve("src/profiles")).getParent();
        Files.writeString(src.resolve("profiles/acme-12.json"), acmeProfile("grub-debian"));
    }

    /**
     * A real profile, as the installer parses it: the shipped debian-12 one made into one for a distribution passthrough
     * ships none for (os-release ID acme), with the given bootloader writer.
     */
    static String acmeProfile(String bootloader) throws Exception {
        return Files.readString(Cli.repo().resolve("distro-profiles/profiles/debian-12.json"))
                .replace("\"id\": \"debian-12\"", "\"id\": \"acme-12\"").replace("\"id\": \"debian\"", "\"id\": \"acme\"")
                .replace("\"bootloaders\": [\"grub-debian\"]", "\"bootloaders\": [\"" + bootloader + "\"]");
    }

    /** keygen, then trust the public key on the host. */
    private Path trustedKey() throws Exception {
        Cli.run("profiles", "keygen", "--out", tmp.resolve("signer").toString()).exits(0);
        Files.createDirectories(root.resolve("etc/passthrough/trusted-keys"));
        Files.copy(tmp.resolve("signer.pub"), root.resolve("etc/passthrough/trusted-keys/signer.pub"));
        return tmp.resolve("signer.key");
    }

    @Test
    void keygenBundleInstallHistoryAndRollback() throws Exception {
        Path key = trustedKey();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        Path bundle = tmp.resolve("vendor.zip");
        Cli.Result made = Cli.run("profiles", "bundle", src.toString(), "--out", bundle.toString(), "--sign", key.toString()).exits(0);
        assertTrue(made.out().contains("profiles acme-12; signed"), made.out());

        Cli.Result installed = Cli.run("--root", root.toString(), "profiles", "install", bundle.toString()).exits(0);
        assertTrue(installed.out().contains("signed by /etc/passthrough/trusted-keys/signer.pub"), installed.out());
        assertTrue(installed.out().contains("create etc/passthrough/profiles/acme-12.json"), installed.out());
        assertTrue(Files.readString(root.resolve("etc/passthrough/profiles/acme-12.json")).contains("grub-debian"));

        Cli.Result history = Cli.run("--root", root.toString(), "history").exits(0);
        assertTrue(history.out().contains("install profile bundle vendor.zip (profiles: acme-12)"), history.out());

        Cli.Result again = Cli.run("--root", root.toString(), "profiles", "install", bundle.toString()).exits(3);
        assertTrue(again.err().contains("profile acme-12 is already installed") && again.err().contains("--replace"), again.err());
        Cli.Result same = Cli.run("--root", root.toString(), "profiles", "install", bundle.toString(), "--replace").exits(0);
        assertTrue(same.out().contains("Nothing to do"), same.out());

        Files.writeString(src.resolve("profiles/acme-12.json"), acmeProfile("grub-lfs"));
        Cli.run("profiles", "bundle", src.toString(), "--out", bundle.toString(), "--sign", key.toString()).exits(0);
        Cli.run("--root", root.toString(), "profiles", "install", bundle.toString(), "--replace").exits(0);
        assertTrue(Files.readString(root.resolve("etc/passthrough/profiles/acme-12.json")).contains("grub-lfs"));

        Cli.run("--root", root.toString(), "rollback").exits(0);
        assertTrue(Files.readString(root.resolve("etc/passthrough/profiles/acme-12.json")).contains("grub-debian"),
                "rolling back the replacing install restores the first profile");
        Cli.run("--root", root.toString(), "rollback").exits(0);
        assertFalse(Files.exists(root.resolve("etc/passthrough/profiles/acme-12.json")), "rollback takes the profile back");
    }

    @Test
    void unsignedBundlesNeedAllowUnsignedWithALoudWarning() throws Exception {
        Path bundle = tmp.resolve("unsigned.zip");
        Cli.Result made = Cli.run("profiles", "bundle", src.toString(), "--out", bundle.toString()).exits(0);
        assertTrue(made.out().contains("NOT signed"), made.out());

        Cli.Result refused = Cli.run("--root", root.toString(), "profiles", "install", bundle.toString()).exits(3);
        assertTrue(refused.err().contains(bundle + ": MANIFEST.sha256.sig: is missing") && refused.err().contains("--allow-unsigned"),
                refused.err());
        assertFalse(Files.exists(root.resolve("etc/passthrough/profiles")));

        Cli.Result allowed = Cli.run("--root", root.toString(), "profiles", "install", bundle.toString(), "--allow-unsigned").exits(0);
        assertTrue(allowed.err().contains("WARNING: --allow-unsigned"), allowed.err());
        assertTrue(allowed.out().contains("UNSIGNED"), allowed.out());
        assertTrue(Files.exists(root.resolve("etc/passthrough/profiles/acme-12.json")));
    }

    @Test
    void tamperedAndForeignBundlesAreRefusedWithExit3() throws Exception {
        trustedKey();
        Cli.run("profiles", "keygen", "--out", tmp.resolve("other").toString()).exits(0);
        Path foreign = tmp.resolve("foreign.zip");
        Cli.run("profiles", "bundle", src.toString(), "--out", foreign.toString(), "--sign", tmp.resolve("other.key").toString()).exits(0);
        Cli.Result r = Cli.run("--root", root.toString(), "profiles", "install", foreign.toString()).exits(3);
        assertTrue(r.err().contains("does not verify with any of the 1 trusted key(s)"), r.err());

        Path notZip = Files.writeString(tmp.resolve("evil.zip"), "hello");
        Cli.Result z = Cli.run("--root", root.toString(), "profiles", "install", notZip.toString()).exits(3);
        assertTrue(z.err().contains(notZip + ": is not a zip archive"), z.err());
        assertFalse(Files.exists(root.resolve("etc/passthrough/profiles")));
    }

    @Test
    void aProfileWhoseIdDiffersFromItsFileNameIsRefused() throws Exception {
        Path key = trustedKey();
        Files.writeString(src.resolve("profiles/fedora-40.json"), acmeProfile("grub-debian"));
        Path bundle = tmp.resolve("b.zip");
        Cli.run("profiles", "bundle", src.toString(), "--out", bundle.toString(), "--sign", key.toString()).exits(0);
        Cli.Result r = Cli.run("--root", root.toString(), "profiles", "install", bundle.toString()).exits(3);
        assertTrue(r.err().contains("profiles/fedora-40.json line 5: field 'id': \"acme-12\" but the file is named fedora-40.json"),
                r.err());
        assertFalse(Files.exists(root.resolve("etc/passthrough/profiles")));
    }

    @Test
    void jsonDocuments() throws Exception {
        JsonNode keygen = Cli.run("profiles", "keygen", "--out", tmp.resolve("k").toString(), "--json").exits(0).json();
        assertEquals("profiles keygen", keygen.get("command").asText());
        assertTrue(keygen.get("fingerprint").asText().startsWith("SHA256:"));
        Files.createDirectories(root.resolve("etc/passthrough/trusted-keys"));
        Files.copy(tmp.resolve("k.pub"), root.resolve("etc/passthrough/trusted-keys/k.pub"));

        Path bundle = tmp.resolve("b.zip");
        JsonNode bundled = Cli.run("profiles", "bundle", src.toString(), "--out", bundle.toString(), "--sign",
                tmp.resolve("k.key").toString(), "--json").exits(0).json();
        assertEquals(1, bundled.get("schemaVersion").asInt());
        assertEquals("profiles bundle", bundled.get("command").asText());
        assertTrue(bundled.get("signed").asBoolean());

        JsonNode installed = Cli.run("--root", root.toString(), "--json", "profiles", "install", bundle.toString()).exits(0).json();
        assertEquals("profiles install", installed.get("command").asText());
        assertEquals("acme-12", installed.get("profiles").get(0).asText());
        assertEquals("etc/passthrough/profiles/acme-12.json", installed.get("files").get(0).asText());
        assertEquals(keygen.get("fingerprint").asText(), installed.get("signer").get("fingerprint").asText());
        assertFalse(installed.get("txid").isNull());

        JsonNode refused = Cli.run("--root", root.toString(), "profiles", "install", bundle.toString(), "--json").exits(3).json();
        assertEquals("profiles install", refused.get("command").asText());
        assertEquals("REFUSED", refused.get("error").get("code").asText());
        assertEquals(3, refused.get("error").get("exitCode").asInt());
    }

    @Test
    void usageErrorsExit2() throws Exception {
        Cli.run("profiles", "install", tmp.resolve("missing.zip").toString()).exits(2);
        Cli.run("profiles", "bundle", tmp.resolve("missing").toString(), "--out", tmp.resolve("b.zip").toString()).exits(2);
        Cli.run("profiles", "bundle", src.toString()).exits(2);
        Cli.run("profiles", "keygen").exits(2);
    }

    @Test
    void keygenNeverOverwritesAKey() throws Exception {
        Cli.run("profiles", "keygen", "--out", tmp.resolve("k").toString()).exits(0);
        String before = Files.readString(tmp.resolve("k.key"));
        Cli.Result r = Cli.run("profiles", "keygen", "--out", tmp.resolve("k").toString()).exits(3);
        assertTrue(r.err().contains("already exists"), r.err());
        assertEquals(before, Files.readString(tmp.resolve("k.key")));
    }

    @Test
    void helpOfEachCommand() {
        assertTrue(Cli.run("--help").exits(0).out().contains("profiles"));
        assertTrue(Cli.run("profiles", "--help").exits(0).out().contains("keygen"));
        assertTrue(Cli.run("profiles", "bundle", "--help").exits(0).out().contains("--sign"));
        String install = Cli.run("profiles", "install", "--help").exits(0).out();
        assertTrue(install.contains("--allow-unsigned") && install.contains("--replace"), install);
        assertTrue(Cli.run("profiles", "keygen", "--help").exits(0).out().contains("--out"));
    }
}
