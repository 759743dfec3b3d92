package passthrough.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole life of a vendor's plugin and profile through the real CLI: the vendor builds the amd-reset-bug quirk
 * (integration-tests/third-party, against the api only), bundles it with a profile for its own distribution and
 * signs the bundle; the host trusts the key, installs the bundle (one transaction), lists the plugin as third-party,
 * gets the profile by its os-release and the quirk's warning in `plan`; rollback takes both away. The same bundle with
 * the evil twin instead is refused by the audit and nothing lands on the host.
 */
class VendorBundleLifecycleTest {
    @TempDir
    Path tmp;

    /** A profile for the vendor's distribution (os-release ID acme) from the shipped debian-12 one. */
    static String acmeProfile() throws Exception {
        return Files.readString(Cli.repo().resolve("distro-profiles/profiles/debian-12.json"))
                .replace("\"id\": \"debian-12\"", "\"id\": \"acme-os-3\"").replace("\"id\": \"debian\"", "\"id\": \"acme\"")
                .replace("\"from\": \"12\"", "\"from\": \"3\"").replace("\"before\": \"13\"", "\"before\": \"4\"")
                .replace("\"name\": \"Debian 12 (bookworm)\"", "\"name\": \"Acme OS 3\"");
    }

    Path bundle(String plugin, Path key) throws Exception {
        Path src = tmp.resolve("src-" + plugin);
        Files.createDirectories(src.resolve("profiles"));
        Files.createDirectories(src.resolve("plugins"));
        Files.writeString(src.resolve("profiles/acme-os-3.json"), acmeProfile());
        Files.copy(ThirdPartyPluginBuild.jar(plugin, tmp.resolve("build-" + plugin)), src.resolve("plugins/" + plugin + ".jar"));
        Path out = tmp.resolve(plugin + ".bundle");
        Cli.run("profiles", "bundle", src.toString(), "--out", out.toString(), "--sign", key.toString()).exits(0);
        return out;
    }

    Path acmeHost() throws Exception {
        Path root = ThirdPartyPluginTest.navi10Host(tmp);
        Files.writeString(root.resolve("etc/os-release"), "NAME=\"Acme OS\"\nID=acme\nID_LIKE=debian\nVERSION_ID=\"3.1\"\n"
                + "PRETTY_NAME=\"Acme OS 3.1\"\n");
        return root;
    }

    Path trustedKey(Path root) throws Exception {
        Cli.run("profiles", "keygen", "--out", tmp.resolve("vendor").toString()).exits(0);
        Files.createDirectories(root.resolve("etc/passthrough/trusted-keys"));
        Files.copy(tmp.resolve("vendor.pub"), root.resolve("etc/passthrough/trusted-keys/vendor.pub"));
        return tmp.resolve("vendor.key");
    }

    static List<String> codes(JsonNode doc) {
        return ThirdPartyPluginTest.codes(doc);
    }

    @Test
    void aSignedVendorBundleBringsItsProfileAndPluginToPlanAndRollbackTakesThemAway() throws Exception {
        Path root = acmeHost();
        String r = root.toString();
        Path key = trustedKey(root);
        Path bundle = bundle("amd-reset-bug", key);

        // before: no acme profile (the closest by ID_LIKE is said as such), no advice
        JsonNode before = Cli.run("--root", r, "plan", "--device", ThirdPartyPluginTest.GPU, "--json").exits(0).json();
        assertFalse(codes(before).contains("AMD_RESET_BUG"), before.toPrettyString());
        JsonNode checkBefore = Cli.run("--root", r, "check", "--json").json();
        assertEquals("closest-id-like", checkBefore.get("profile").get("how").asText(), checkBefore.toPrettyString());

        Cli.Result installed = Cli.run("--root", r, "profiles", "install", bundle.toString()).exits(0);
        assertTrue(installed.out().contains("signed by /etc/passthrough/trusted-keys/vendor.pub"), installed.out());
        assertTrue(Files.isRegularFile(root.resolve("var/lib/passthrough/plugins/amd-reset-bug.jar.audit.json")),
                "the installer writes the audit record the registry needs to load the jar");

        JsonNode list = Cli.run("--root", r, "plugins", "list", "--json").exits(0).json();
        JsonNode plugin = null;
        for (JsonNode p : list.get("plugins")) if (p.get("id").asText().equals("amd-reset-bug")) plugin = p;
        assertTrue(plugin != null && plugin.get("origin").asText().equals("third-party")
                && plugin.get("audit").get("clean").asBoolean(), list.toPrettyString());

        JsonNode check = Cli.run("--root", r, "check", "--json").json();
        assertEquals("acme-os-3", check.get("profile").get("id").asText(), check.toPrettyString());
        assertEquals("exact", check.get("profile").get("how").asText());
        JsonNode plan = Cli.run("--root", r, "plan", "--device", ThirdPartyPluginTest.GPU, "--json").exits(0).json();
        assertTrue(codes(plan).contains("AMD_RESET_BUG"), plan.get("findings").toPrettyString());
        String text = Cli.run("--root", r, "plan", "--device", ThirdPartyPluginTest.GPU).exits(0).out();
        assertTrue(text.contains("profile acme-os-3") && text.contains("vendor-reset"), text);

        String history = Cli.run("--root", r, "history").exits(0).out();
        assertTrue(history.contains("install profile bundle amd-reset-bug.bundle (profiles: acme-os-3; plugins: amd-reset-bug.jar)"),
                history);
        Cli.run("--root", r, "rollback").exits(0);
        assertFalse(Files.exists(root.resolve("var/lib/passthrough/plugins/amd-reset-bug.jar")));
        assertFalse(Files.exists(root.resolve("etc/passthrough/profiles/acme-os-3.json")));
        JsonNode after = Cli.run("--root", r, "plan", "--device", ThirdPartyPluginTest.GPU, "--json").exits(0).json();
        assertFalse(codes(after).contains("AMD_RESET_BUG"), after.toPrettyString());
    }

    @Test
    void aSignedBundleWithTheEvilTwinIsRefusedByTheAuditAndNothingLands() throws Exception {
        Path root = acmeHost();
        Path key = trustedKey(root);
        Path bundle = bundle("evil-twin", key);
        List<Path> beforeFiles = listing(root);
        Cli.Result r = Cli.run("--root", root.toString(), "profiles", "install", bundle.toString()).exits(3);
        assertTrue(r.err().contains("plugin evil-twin.jar fails the audit") && r.err().contains("Files.writeString")
                && r.err().contains("ProcessBuilder"), r.err());
        assertEquals(beforeFiles, listing(root), "nothing written under the root");
        assertEquals(0, Cli.run("--root", root.toString(), "history", "--json").exits(0).json().get("transactions").size());
    }

    static List<Path> listing(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            return s.map(root::relativize).sorted().toList();
        }
    }
}
