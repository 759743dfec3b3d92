package passthrough.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Third-party plugins through the real CLI: a vendor's GuestQuirk (integration-tests/third-party/amd-reset-bug) is
 * audited, installed as a transaction, warns at plan time, shows in history and goes away with `plugins remove`; its
 * evil twin (third-party/evil-twin) is refused with every offending call and never loaded.
 *
 * <p>No sample host has a card with the reset bug (the AMD GPUs there are Navi 21 1002:73bf, a Cezanne APU 1002:1638
 * and a Polaris 10 1002:67df), so a copy of amd-split-card gets, for its discrete GPU 05:00.0, the device id of a
 * Navi 10 (1002:731f, RX 5700 XT) in its sysfs; the sample itself is not changed.
 */
class ThirdPartyPluginTest {
    static final String GPU = "05:00.0";

    static Path navi10Host(Path tmp) throws Exception {
        Path root = Cli.copyTree(Cli.sample("amd-split-card"), tmp.resolve("host"));
        Files.writeString(root.resolve("sys/bus/pci/devices/0000:05:00.0/device"), "0x731f\n");
        return root;
    }

    static List<String> codes(JsonNode plan) {
        List<String> out = new ArrayList<>();
        plan.get("findings").forEach(f -> out.add(f.get("code").asText()));
        return out;
    }

    @Test
    void aCleanVendorPluginIsAuditedInstalledWarnsAtPlanTimeAndIsRemoved(@TempDir Path tmp) throws Exception {
        Path jar = ThirdPartyPluginBuild.jar("amd-reset-bug", tmp.resolve("build"));
        Path root = navi10Host(tmp);
        String r = root.toString();
        assertFalse(codes(Cli.run("--root", r, "plan", "--device", GPU, "--json").exits(0).json()).contains("AMD_RESET_BUG"),
                "no advice before the plugin is installed");

        Cli.Result install = Cli.run("--root", r, "plugins", "install", jar.toString()).exits(0);
        assertTrue(install.out().contains("Installed plugin amd-reset-bug 1.0.0") && install.out().contains("audit clean"), install.out());
        assertTrue(Files.isRegularFile(root.resolve("var/lib/passthrough/plugins/amd-reset-bug-1.0.0.jar")));
        assertTrue(Files.isRegularFile(root.resolve("var/lib/passthrough/plugins/amd-reset-bug-1.0.0.jar.audit.json")));

        JsonNode list = Cli.run("--root", r, "plugins", "list", "--json").exits(0).json();
        JsonNode plugin = null;
        for (JsonNode p : list.get("plugins")) if (p.get("id").asText().equals("amd-reset-bug")) plugin = p;
        assertTrue(plugin != null, list.toPrettyString());
        assertEquals("third-party", plugin.get("origin").asText());
        assertEquals("STARTED", plugin.get("state").asText());
        assertEquals(List.of("GuestQuirk"), List.of(plugin.get("extensionPoints").get(0).asText()));
        assertTrue(plugin.get("audit").get("clean").asBoolean(), plugin.toPrettyString());
        assertEquals(0, plugin.get("audit").get("violations").size());
        assertEquals(0, list.get("problems").size(), list.toPrettyString());
        for (JsonNode p : list.get("plugins")) {
            if (p.get("id").asText().equals("vfio-pci")) assertEquals("first-party", p.get("origin").asText());
        }
        String text = Cli.run("--root", r, "plugins").exits(0).out(); // no subcommand: the list, as before
        assertTrue(text.contains("amd-reset-bug") && text.contains("third-party") && text.contains("audit: clean"), text);

        JsonNode plan = Cli.run("--root", r, "plan", "--device", GPU, "--json").exits(0).json();
        JsonNode warning = null;
        for (JsonNode f : plan.get("findings")) if (f.get("code").asText().equals("AMD_RESET_BUG")) warning = f;
        assertTrue(warning != null, plan.get("findings").toPrettyString());
        assertEquals("warning", warning.get("severity").asText());
        assertTrue(warning.get("message").asText().contains("Navi 10") && warning.get("message").asText().contains("1002:731f"),
                warning.toString());
        assertTrue(warning.get("fix").asText().contains("https://github.com/gnif/vendor-reset"), warning.toString());
        String planText = Cli.run("--root", r, "plan", "--device", GPU).exits(0).out();
        assertTrue(planText.contains("[WARNING]") && planText.contains("may not reset between guest boots"), planText);

        String history = Cli.run("--root", r, "history").exits(0).out();
        assertTrue(history.contains("install plugin amd-reset-bug 1.0.0 (audit clean)")
                && history.contains("create var/lib/passthrough/plugins/amd-reset-bug-1.0.0.jar"), history);

        // a second install of the same id is refused
        Cli.Result again = Cli.run("--root", r, "plugins", "install", jar.toString()).exits(3);
        assertTrue(again.err().contains("amd-reset-bug: not installed") && again.err().contains("plugins remove amd-reset-bug"), again.err());

        JsonNode removed = Cli.run("--root", r, "--json", "plugins", "remove", "amd-reset-bug").exits(0).json();
        assertEquals("plugins", removed.get("command").asText());
        assertEquals(2, removed.get("files").size(), removed.toPrettyString());
        assertFalse(Files.exists(root.resolve("var/lib/passthrough/plugins/amd-reset-bug-1.0.0.jar")));
        assertFalse(codes(Cli.run("--root", r, "plan", "--device", GPU, "--json").exits(0).json()).contains("AMD_RESET_BUG"),
                "no advice after removal");
        Cli.run("--root", r, "plugins", "remove", "amd-reset-bug").exits(2);
    }

    @Test
    void rollbackOfTheInstallTakesThePluginAway(@TempDir Path tmp) throws Exception {
        Path jar = ThirdPartyPluginBuild.jar("amd-reset-bug", tmp.resolve("build"));
        Path root = navi10Host(tmp);
        JsonNode install = Cli.run("--root", root.toString(), "--json", "plugins", "install", jar.toString()).exits(0).json();
        Cli.run("--root", root.toString(), "rollback", install.get("txid").asText()).exits(0);
        assertFalse(Files.exists(root.resolve("var/lib/passthrough/plugins/amd-reset-bug-1.0.0.jar")));
        assertFalse(codes(Cli.run("--root", root.toString(), "plan", "--device", GPU, "--json").exits(0).json())
                .contains("AMD_RESET_BUG"));
    }

    @Test
    void aSwappedJarIsNotLoadedAndIsReported(@TempDir Path tmp) throws Exception {
        Path jar = ThirdPartyPluginBuild.jar("amd-reset-bug", tmp.resolve("build"));
        Path root = navi10Host(tmp);
        Cli.run("--root", root.toString(), "plugins", "install", jar.toString()).exits(0);
        // someone replaces the installed jar with other bytes (here: the evil twin under the installed name)
        Path evil = ThirdPartyPluginBuild.jar("evil-twin", tmp.resolve("evil-build"));
        Path marker = tmp.resolve("evil-twin-was-loaded");
        System.setProperty("evil.twin.marker", marker.toString());
        try {
            Files.copy(evil, root.resolve("var/lib/passthrough/plugins/amd-reset-bug-1.0.0.jar"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            JsonNode list = Cli.run("--root", root.toString(), "plugins", "--json").exits(0).json();
            for (JsonNode p : list.get("plugins")) assertFalse(p.get("origin").asText().equals("third-party"), p.toString());
            assertEquals(1, list.get("problems").size(), list.toPrettyString());
            String message = list.get("problems").get(0).get("message").asText();
            assertTrue(list.get("problems").get(0).get("path").asText().endsWith("amd-reset-bug-1.0.0.jar"), list.toPrettyString());
            assertTrue(message.startsWith("not loaded, its bytes changed since it was audited"), message);
            Cli.run("--root", root.toString(), "plan", "--device", GPU).exits(0);
            assertFalse(Files.exists(marker), "the swapped jar's classes were never loaded");
        } finally {
            System.clearProperty("evil.twin.marker");
        }
    }

    @Test
    void theEvilTwinIsRefusedWithEveryOffendingCallNothingWrittenNeverLoaded(@TempDir Path tmp) throws Exception {
        Path jar = ThirdPartyPluginBuild.jar("evil-twin", tmp.resolve("build"));
        Path root = navi10Host(tmp);
        Path marker = tmp.resolve("evil-twin-was-loaded");
        System.setProperty("evil.twin.marker", marker.toString());
        try {
            Cli.Result refused = Cli.run("--root", root.toString(), "plugins", "install", jar.toString()).exits(3);
            String err = refused.err();
            assertTrue(err.contains("evil-twin-1.0.0.jar: not installed, plugin evil-twin makes calls a plugin may not make"), err);
            assertTrue(err.contains("com.example.gpuvendor.eviltwin.EvilTwinQuirk.<clinit>:")
                    && err.contains("java.nio.file.Files.writeString") && err.contains("(writes files)"), err);
            assertTrue(err.contains("com.example.gpuvendor.eviltwin.EvilTwinQuirk.advise:")
                    && err.contains("java.lang.ProcessBuilder.start") && err.contains("(starts processes)"), err);
            assertTrue(err.contains("--trust"), err);
            assertFalse(err.contains("internal error"), err);

            JsonNode json = Cli.run("--root", root.toString(), "--json", "plugins", "install", jar.toString()).exits(3).json();
            assertEquals("AUDIT_FAILED", json.get("error").get("code").asText());
            assertFalse(json.get("audit").get("clean").asBoolean());
            assertTrue(json.get("audit").get("violations").size() >= 2, json.toPrettyString());

            assertFalse(Files.exists(root.resolve("var/lib/passthrough")), "nothing written, not even the journal");
            Cli.run("--root", root.toString(), "plugins", "list").exits(0);
            assertFalse(Files.exists(marker), "the evil twin's static initializer never ran: its classes were never loaded");
        } finally {
            System.clearProperty("evil.twin.marker");
        }
    }

    @Test
    void aTrustedInstallOfTheEvilTwinWarnsLoudly(@TempDir Path tmp) throws Exception {
        Path jar = ThirdPartyPluginBuild.jar("evil-twin", tmp.resolve("build"));
        Path root = Files.createDirectories(tmp.resolve("empty-root"));
        Cli.Result trusted = Cli.run("--root", root.toString(), "plugins", "install", jar.toString(), "--trust").exits(0);
        assertTrue(trusted.err().contains("WARNING: plugin evil-twin was installed with --trust") && trusted.err().contains("ProcessBuilder"),
                trusted.err());
        assertTrue(trusted.out().contains("NOT clean, trusted"), trusted.out());
    }

    @Test
    void aJarWithoutAPf4jManifestIsRefused(@TempDir Path tmp) throws Exception {
        Path jar = tmp.resolve("not-a-plugin.jar");
        try (var o = Files.newOutputStream(jar); var j = new java.util.jar.JarOutputStream(o)) {
            j.putNextEntry(new java.util.jar.JarEntry("readme.txt"));
            j.write("hello".getBytes());
        }
        Path root = Files.createDirectories(tmp.resolve("empty-root"));
        Cli.Result r = Cli.run("--root", root.toString(), "plugins", "install", jar.toString()).exits(3);
        assertTrue(r.err().contains("not a valid pf4j plugin") && r.err().contains("Plugin-Id"), r.err());
        Cli.run("--root", root.toString(), "plugins", "install", tmp.resolve("absent.jar").toString()).exits(2);
    }

    @Test
    void everyNewCommandHasHelp() {
        for (List<String> cmd : List.of(List.of("plugins", "--help"), List.of("plugins", "list", "--help"),
                List.of("plugins", "install", "--help"), List.of("plugins", "remove", "--help"))) {
            Cli.Result r = Cli.run(cmd.toArray(String[]::new)).exits(0);
            assertTrue(r.out().contains("Usage: passthrough " + String.join(" ", cmd.subList(0, cmd.size() - 1))), r.out());
        }
        assertTrue(Cli.run("plugins", "install", "--help").out().contains("--trust"));
        assertTrue(Cli.run("plugins", "--help").out().contains("install"));
    }
}
