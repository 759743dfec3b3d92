package passthrough.core.bundle;

import static passthrough.core.bundle.BundleFixture.ALICE;
import static passthrough.core.bundle.BundleFixture.bundle;
import static passthrough.core.bundle.BundleFixture.entries;
import static passthrough.core.bundle.BundleFixture.pluginJar;
import static passthrough.core.bundle.BundleFixture.profile;
import static passthrough.core.bundle.BundleFixture.signedOnly;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import passthrough.core.apply.PlanExecutor;
import passthrough.core.apply.TransactionSummary;

/** Installing through the executor: one transaction, listed by history, undone by rollback; conflicts and plugins. */
class BundleInstallerTest {
    @TempDir
    Path tmp;
    BundleFixture host;

    @BeforeEach
    void setUp() throws Exception {
        host = new BundleFixture(tmp);
    }

    @Test
    void installsAsOneTransactionThatRollbackUndoes() throws Exception {
        SortedMap<String, byte[]> e = entries("debian-12", "fedora-40");
        e.put("plugins/example.jar", pluginJar("Plugin-Id", "example", "Plugin-Version", "1.2.0", "Plugin-Requires", ">=0.1.0"));
        Path b = host.file("vendor.zip", bundle(e, ALICE));
        List<String> before = host.listing();

        BundleInstaller.Installed done = host.installer().install(b, signedOnly());

        assertEquals("/etc/passthrough/trusted-keys/alice.pub", done.bundle().signer().file());
        assertArrayEquals(profile("debian-12"), Files.readAllBytes(host.root.resolve("etc/passthrough/profiles/debian-12.json")));
        assertTrue(Files.exists(host.root.resolve("etc/passthrough/profiles/fedora-40.json")));
        assertTrue(Files.exists(host.root.resolve("var/lib/passthrough/plugins/example.jar")));
        List<TransactionSummary> history = PlanExecutor.forRoot(host.root).history();
        assertEquals(1, history.size());
        assertEquals(done.result().txid(), history.get(0).txid());
        assertEquals("install profile bundle vendor.zip (profiles: debian-12, fedora-40; plugins: example.jar)", history.get(0).title());

        PlanExecutor.forRoot(host.root).rollback(PlanExecutor.LATEST, false, passthrough.core.apply.ApplyOptions.defaults());
        assertFalse(Files.exists(host.root.resolve("etc/passthrough/profiles/debian-12.json")));
        assertFalse(Files.exists(host.root.resolve("var/lib/passthrough/plugins/example.jar")));
        assertEquals(filesOutsideTheJournal(before), filesOutsideTheJournal(host.listing()),
                "rollback leaves every file as before the install (directories it made may stay)");
    }

    private static List<String> filesOutsideTheJournal(List<String> listing) {
        return listing.stream().filter(p -> !p.endsWith("/") && !p.startsWith("var/lib/passthrough/transactions/")
                && !p.startsWith("var/lib/passthrough/lock")).toList();
    }

    @Test
    void anInstalledProfileIsRefusedWithoutReplace() throws Exception {
        host.installer().install(host.file("a.zip", bundle(entries("debian-12"), ALICE)), signedOnly());
        SortedMap<String, byte[]> newer = entries("debian-12");
        newer.put("profiles/debian-12.json", "{\"id\": \"debian-12\", \"v\": 2}".getBytes(StandardCharsets.UTF_8));
        Path b = host.file("b.zip", bundle(newer, ALICE));
        host.refused(b, signedOnly(), "profile debian-12 is already installed as /etc/passthrough/profiles/debian-12.json", "--replace");

        BundleInstaller.Installed replaced = host.installer().install(b, new BundleInstaller.Options(false, true));
        assertEquals(List.of("etc/passthrough/profiles/debian-12.json"), replaced.replaced());
        assertEquals("{\"id\": \"debian-12\", \"v\": 2}", Files.readString(host.root.resolve("etc/passthrough/profiles/debian-12.json")));
        PlanExecutor.forRoot(host.root).rollback(PlanExecutor.LATEST, false, passthrough.core.apply.ApplyOptions.defaults());
        assertArrayEquals(profile("debian-12"), Files.readAllBytes(host.root.resolve("etc/passthrough/profiles/debian-12.json")),
                "rollback of a replacing install restores the earlier profile");
    }

    @Test
    void aJarThatIsNoPf4jPluginIsRefused() throws Exception {
        SortedMap<String, byte[]> e = entries("debian-12");
        e.put("plugins/plain.jar", pluginJar("Main-Class", "x.Main"));
        host.refused(host.file("b.zip", bundle(e, ALICE)), signedOnly(), "plugins/plain.jar", "no Plugin-Id");
        e.put("plugins/plain.jar", pluginJar("Plugin-Id", "x"));
        host.refused(host.file("c.zip", bundle(e, ALICE)), signedOnly(), "plugins/plain.jar", "no Plugin-Version");
        e.put("plugins/plain.jar", "not a jar".getBytes(StandardCharsets.UTF_8));
        host.refused(host.file("d.zip", bundle(e, ALICE)), signedOnly(), "plugins/plain.jar", "is not a zip archive");
    }

    @Test
    void pluginRequiresIsJudgedByPf4jAgainstThePlatformVersion() throws Exception {
        SortedMap<String, byte[]> e = entries("debian-12");
        e.put("plugins/future.jar", pluginJar("Plugin-Id", "future", "Plugin-Version", "2.0.0", "Plugin-Requires", ">=9.0.0"));
        host.refused(host.file("b.zip", bundle(e, ALICE)), signedOnly(), "plugins/future.jar", "requires passthrough >=9.0.0, this is 0.1.0");

        e.put("plugins/future.jar", pluginJar("Plugin-Id", "future", "Plugin-Version", "2.0.0", "Plugin-Requires", "0.1.x"));
        host.installer().install(host.file("c.zip", bundle(e, ALICE)), signedOnly());
        assertTrue(Files.exists(host.root.resolve("var/lib/passthrough/plugins/future.jar")));
    }

    @Test
    void theContentCheckSeesEveryEntryAndCanRefuse() throws Exception {
        SortedMap<String, byte[]> e = entries("debian-12", "fedora-40");
        e.put("plugins/example.jar", pluginJar("Plugin-Id", "example", "Plugin-Version", "1.0.0"));
        List<String> seen = new java.util.ArrayList<>();
        BundleEntryCheck check = (name, content) -> {
            seen.add(name);
            return name.equals("profiles/fedora-40.json") ? List.of("unknown bootloader \"lilo\"") : List.of();
        };
        host.refused(new BundleInstaller(host.root, "0.1.0", check), host.file("b.zip", bundle(e, ALICE)), signedOnly(),
                "profiles/fedora-40.json", "unknown bootloader \"lilo\"", "nothing was installed");
        assertTrue(seen.containsAll(List.of("profiles/debian-12.json", "profiles/fedora-40.json", "plugins/example.jar")), seen.toString());
    }

    @Test
    void trustedKeysAreReadThroughTheRoot() throws Exception {
        // a link in the root pointing at an absolute path is resolved inside the root, never on this machine
        Path keys = host.root.resolve("etc/passthrough/trusted-keys");
        Files.move(keys.resolve("alice.pub"), host.root.resolve("etc/passthrough/alice.pub"));
        Files.createSymbolicLink(keys.resolve("alice.pub"), Path.of("/etc/passthrough/alice.pub"));
        BundleInstaller.Installed done = host.installer().install(host.file("b.zip", bundle(entries("debian-12"), ALICE)), signedOnly());
        assertNotNull(done.bundle().signer());
    }
}
