package passthrough.it.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `--json` on every command (docs/json.md): stdout holds exactly one JSON object, with {@code "schemaVersion": 1}
 * and {@code "command"}, and everything the text output says; a failing command prints the error document (and its
 * line on stderr) with the exit code unchanged.
 */
class JsonOutputTest {
    static final String SEED1 = "seed1-ubuntu-18.04";
    static final ObjectMapper STRICT = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @TempDir
    Path tmp;

    /** The one document on stdout: an object, nothing before or after it (trailing text fails the parse). */
    static JsonNode document(Cli.Result r, String command) {
        JsonNode doc;
        try {
            doc = STRICT.readTree(r.out());
        } catch (IOException e) {
            throw new AssertionError("stdout is not exactly one JSON document: " + e.getMessage() + "\n" + r.out()
                    + "\nstderr: " + r.err(), e);
        }
        assertTrue(doc != null && doc.isObject(), "stdout is one JSON object: " + r.out());
        assertTrue(r.out().startsWith("{"), "nothing before the document: " + r.out());
        assertTrue(doc.get("schemaVersion").isInt(), "schemaVersion is an integer: " + doc);
        assertEquals(1, doc.get("schemaVersion").asInt());
        assertEquals(command, doc.get("command").asText(), "command field");
        return doc;
    }

    static Cli.Result json(Path root, String... args) {
        List<String> all = new ArrayList<>(List.of("--root", root.toString(), "--json"));
        all.addAll(List.of(args));
        return Cli.run(all.toArray(String[]::new));
    }

    Path copyOfSeed1() throws IOException {
        return Cli.copyTree(Cli.sample(SEED1), tmp.resolve("host"));
    }

    @Test
    void everyCommandPrintsOneDocumentWithSchemaVersionAndItsName() throws Exception {
        Path seed1 = Cli.sample(SEED1);
        Path host = copyOfSeed1();
        document(json(seed1, "check").exits(0), "check");
        document(json(seed1, "groups", "--gpu").exits(0), "groups");
        JsonNode report = document(json(seed1, "report", "--out", tmp.resolve("host.tar.gz").toString()).exits(0), "report");
        assertTrue(report.get("files").asInt() > 0, report.toString());
        document(json(seed1, "plugins").exits(0), "plugins");
        JsonNode plan = document(json(seed1, "plan", "--device", "65:00.0").exits(0), "plan");
        assertEquals("0000:65:00.0", plan.get("target").asText());
        JsonNode apply = document(json(host, "apply", "--device", "65:00.0", "--yes", "--no-commands").exits(0), "apply");
        assertTrue(apply.get("changed").asBoolean(), apply.toString());
        document(json(host, "history").exits(0), "history");
        document(json(host, "rollback", "--no-commands").exits(0), "rollback");
        document(json(seed1, "verify", "--device", "65:00.0").exits(1), "verify");
        // the option works after the subcommand as well
        document(Cli.run("--root", seed1.toString(), "history", "--json").exits(0), "history");
    }

    @Test
    void rollbackNamesTheTransactionEachFileEachCommandAndTheReboot() throws Exception {
        Path host = copyOfSeed1();
        byte[] original = Files.readAllBytes(host.resolve("etc/default/grub"));
        String txid = document(json(host, "apply", "--device", "65:00.0", "--yes", "--no-commands").exits(0), "apply")
                .get("txid").asText();

        JsonNode r = document(json(host, "rollback", "--no-commands").exits(0), "rollback");
        assertEquals(txid, r.get("txid").asText());
        assertEquals("rolled-back", r.get("state").asText());
        assertEquals(List.of(txid), texts(r.get("rolledBack")));
        assertFalse(r.get("alreadyRolledBack").asBoolean());
        assertEquals(1, r.get("files").size(), r.toString());
        JsonNode f = r.get("files").get(0);
        assertEquals("etc/default/grub", f.get("path").asText());
        assertEquals("replace", f.get("action").asText());
        assertEquals("restored", f.get("undo").asText());
        assertEquals("restored", f.get("status").asText());
        assertTrue(r.get("commands").isArray(), r.toString());
        assertTrue(r.get("recovered").isArray(), r.toString());
        assertTrue(r.get("rebootRequired").asBoolean(), r.toString());
        assertArrayEquals(original, Files.readAllBytes(host.resolve("etc/default/grub")));

        // again: already rolled back, nothing to do, exit 0, still one document
        JsonNode again = document(json(host, "rollback", txid, "--no-commands").exits(0), "rollback");
        assertTrue(again.get("alreadyRolledBack").asBoolean(), again.toString());
        assertEquals(List.of(), texts(again.get("rolledBack")));
        assertFalse(again.get("rebootRequired").asBoolean());
        assertTrue(again.get("reason").asText().contains("nothing to do"), again.toString());
    }

    @Test
    void historyListsEveryTransactionWithTimeStateTargetFilesAndCommands() throws Exception {
        Path host = copyOfSeed1();
        assertEquals(0, document(json(host, "history").exits(0), "history").get("transactions").size());
        String first = document(json(host, "apply", "--device", "65:00.0", "--yes", "--no-commands").exits(0), "apply")
                .get("txid").asText();
        document(json(host, "rollback", "--no-commands").exits(0), "rollback");
        String second = document(json(host, "apply", "--device", "65:00.0", "--yes", "--no-commands").exits(0), "apply")
                .get("txid").asText();

        JsonNode h = document(json(host, "history").exits(0), "history");
        JsonNode all = h.get("transactions");
        assertEquals(2, all.size(), h.toString());
        assertEquals(second, all.get(0).get("txid").asText(), "newest first");
        assertEquals(first, all.get(1).get("txid").asText());
        assertEquals("done", all.get(0).get("state").asText());
        assertEquals("rolled-back", all.get(1).get("state").asText());
        for (JsonNode t : all) {
            assertEquals("0000:65:00.0", t.get("target").asText());
            assertFalse(t.get("createdAt").asText().isEmpty());
            assertTrue(t.get("title").asText().contains("0000:65:00.0"));
            assertEquals("etc/default/grub", t.get("files").get(0).get("path").asText());
            assertEquals("replace", t.get("files").get(0).get("action").asText());
            assertEquals("update-grub", t.get("commands").get(0).get("argv").get(0).asText());
            assertEquals("skipped", t.get("commands").get(0).get("status").asText());
        }
    }

    @Test
    void verifyGivesEachCheckWithPassOrFailMessageFixAndTheVerdict() {
        JsonNode v = document(json(Cli.sample(SEED1), "verify", "--device", "65:00.0").exits(1), "verify");
        assertFalse(v.get("passed").asBoolean());
        assertEquals("not-verified", v.get("verdict").asText());
        assertEquals(34, v.get("group").asInt());
        assertEquals("0000:65:00.0", v.get("target").asText());
        List<String> statuses = new ArrayList<>();
        for (JsonNode f : v.get("findings")) {
            statuses.add(f.get("status").asText());
            assertTrue(List.of("pass", "warn", "fail").contains(f.get("status").asText()), f.toString());
            assertEquals(f.get("status").asText().equals("fail"), f.get("severity").asText().equals("error"), f.toString());
            assertFalse(f.get("message").asText().isEmpty(), f.toString());
            assertTrue(f.has("fix") && f.has("code"), f.toString());
        }
        assertTrue(statuses.contains("fail"), statuses.toString());
    }

    @Test
    void pluginsListsLoadedPluginsWithPointsAndVersionAndFailedOnesWithTheReason() throws Exception {
        Path extra = Files.createDirectories(tmp.resolve("extra-plugins"));
        Files.writeString(extra.resolve("broken-plugin.jar"), "this is not a jar");
        JsonNode p = document(Cli.run("--json", "plugins", "--plugins-dir", extra.toString()).exits(0), "plugins");
        List<String> ids = new ArrayList<>();
        for (JsonNode plugin : p.get("plugins")) {
            ids.add(plugin.get("id").asText());
            assertFalse(plugin.get("version").asText().isEmpty(), plugin.toString());
            assertTrue(plugin.get("extensionPoints").size() > 0, plugin.toString());
        }
        assertTrue(ids.containsAll(List.of("intel-vtd", "amd-vi", "grub-debian", "vfio-pci")), ids.toString());
        assertEquals(1, p.get("problems").size(), p.toString());
        JsonNode broken = p.get("problems").get(0);
        assertTrue(broken.get("path").asText().endsWith("broken-plugin.jar"), broken.toString());
        assertFalse(broken.get("message").asText().isEmpty(), broken.toString());
    }

    @Test
    void aRefusalPrintsTheErrorDocumentAndExits3() {
        // seed 1's 17:00.0 is the boot GPU
        Cli.Result r = json(Cli.sample(SEED1), "plan", "--device", "17:00.0").exits(3);
        JsonNode e = document(r, "plan").get("error");
        assertEquals("BOOT_GPU", e.get("code").asText());
        assertEquals(3, e.get("exitCode").asInt());
        assertTrue(e.get("message").asText().contains("--allow-boot-gpu"), e.toString());
        assertTrue(r.err().startsWith("passthrough: refused: "), "the one-line message stays on stderr: " + r.err());
    }

    @Test
    void usageIoAndCommandFailuresPrintTheErrorDocumentWithTheirExitCodes() throws Exception {
        Path seed1 = Cli.sample(SEED1);
        // usage: picocli's parse error, an unknown device, a malformed address, a bad --root
        assertError(json(seed1, "plan").exits(2), "plan", "USAGE", 2);
        assertError(json(seed1, "plan", "--device", "00:02.0").exits(2), "plan", "NO_SUCH_DEVICE", 2);
        assertError(json(seed1, "verify", "--device", "zz:00.0").exits(2), "verify", "INVALID_ADDRESS", 2);
        assertError(json(tmp.resolve("no-such-root"), "check").exits(2), "check", "USAGE", 2);
        assertError(Cli.run("--json", "--no-such-option").exits(2), null, "USAGE", 2);
        // I/O: the report cannot be written (its directory would have to be a plain file)
        Files.writeString(tmp.resolve("a-file"), "x");
        assertError(json(seed1, "report", "--out", tmp.resolve("a-file/host.tar.gz").toString()).exits(4), "report",
                "IO_ERROR", 4);
        // nothing to roll back is refused
        assertError(json(copyOfSeed1(), "rollback").exits(3), "rollback", "REFUSED", 3);
        // a command failed (the sample's update-grub cannot run in the root): every file restored, exit 1
        Path host = tmp.resolve("host");
        byte[] original = Files.readAllBytes(host.resolve("etc/default/grub"));
        JsonNode e = assertError(json(host, "apply", "--device", "65:00.0", "--yes").exits(1), "apply", "COMMAND_FAILED", 1);
        assertTrue(e.get("message").asText().contains("update-grub"), e.toString());
        assertArrayEquals(original, Files.readAllBytes(host.resolve("etc/default/grub")));
    }

    @Test
    void whatPlanJsonPrintsCanBeAppliedAsAPlanFile() throws Exception {
        Path host = copyOfSeed1();
        Path planFile = tmp.resolve("plan.json");
        Files.writeString(planFile, document(json(host, "plan", "--device", "65:00.0").exits(0), "plan").toString());
        JsonNode apply = document(json(host, "apply", planFile.toString(), "--yes", "--no-commands").exits(0), "apply");
        assertTrue(apply.get("changed").asBoolean(), apply.toString());
    }

    private static JsonNode assertError(Cli.Result r, String command, String code, int exit) {
        JsonNode doc;
        try {
            doc = STRICT.readTree(r.out());
        } catch (IOException ex) {
            throw new AssertionError("stdout is not one JSON document: " + r.out() + "\nstderr: " + r.err(), ex);
        }
        assertEquals(1, doc.get("schemaVersion").asInt(), doc.toString());
        if (command == null) assertTrue(doc.get("command").isNull(), doc.toString());
        else assertEquals(command, doc.get("command").asText(), doc.toString());
        JsonNode e = doc.get("error");
        assertTrue(e != null && e.isObject(), "error object: " + doc);
        assertEquals(code, e.get("code").asText(), doc.toString());
        assertEquals(exit, e.get("exitCode").asInt());
        assertFalse(e.get("message").asText().isEmpty());
        assertTrue(r.err().startsWith("passthrough: "), "one-line message on stderr: " + r.err());
        assertFalse(r.err().contains("internal error"), r.err());
        return e;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
