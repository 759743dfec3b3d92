package passthrough.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import passthrough.fixtures.SampleHosts;

/** Bad roots fail cleanly; damaged device entries are skipped with a warning naming the path. */
class BadInputTest {
    private static final String DEV = "sys/bus/pci/devices/0000:65:00.3";

    @TempDir
    Path tmp;
    Path root;

    @BeforeEach
    void copySample() throws IOException {
        root = Cli.copyTree(Cli.sample(SampleHosts.SEED1), tmp.resolve("root"));
    }

    private static void assertOneLineError(Cli.Result r, int exit, String path) {
        r.exits(exit);
        assertEquals("", r.out());
        assertEquals(1, r.err().strip().lines().count(), "one line on stderr:\n" + r.err());
        assertTrue(r.err().startsWith("passthrough: "), r.err());
        assertTrue(r.err().contains(path), "names " + path + ": " + r.err());
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void rootThatDoesNotExist() {
        Path missing = tmp.resolve("no-such-dir");
        for (String cmd : new String[] {"check", "groups"}) {
            assertOneLineError(Cli.run("--root", missing.toString(), cmd), 2, missing.toString());
        }
    }

    @Test
    void rootThatIsAFile() throws IOException {
        Path file = Files.writeString(tmp.resolve("host.tar.gz"), "not a directory");
        assertOneLineError(Cli.run("--root", file.toString(), "check"), 2, file.toString());
        assertOneLineError(Cli.run("--root", file.toString(), "report", "--out", tmp.resolve("r.tar.gz").toString()),
                2, file.toString());
    }

    @Test
    void rootWithoutSys() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("empty-root/etc"));
        assertOneLineError(Cli.run("--root", dir.getParent().toString(), "groups"), 2, dir.getParent().toString());
    }

    @Test
    void verboseShowsTheStackTrace() {
        Path missing = tmp.resolve("no-such-dir");
        Cli.Result r = Cli.run("-v", "--root", missing.toString(), "check").exits(2);
        assertTrue(r.err().contains("\tat "), r.err());
    }

    /** The command still works, the device is gone from the groups, and check names the path. */
    private void assertSkipped(String address, String path) {
        JsonNode groups = Cli.run("--root", root.toString(), "groups", "--json").exits(0).json();
        boolean present = false;
        for (JsonNode g : groups.get("groups")) for (JsonNode d : g.get("devices")) present |= d.get("address").asText().equals(address);
        assertFalse(present, address + " should be skipped");
        assertTrue(groups.get("groups").size() >= 10, "the other devices are still read");
        JsonNode check = Cli.run("--root", root.toString(), "check", "--json").exits(0).json();
        boolean named = false;
        for (JsonNode f : check.get("findings")) {
            if (f.get("message").asText().contains(path)) {
                named = true;
                assertEquals("warning", f.get("severity").asText(), f.toString());
                assertFalse(f.get("fix").asText().isEmpty(), f.toString());
            }
        }
        assertTrue(named, "no finding names " + path + ": " + check.get("findings").toPrettyString());
        Cli.Result text = Cli.run("--root", root.toString(), "groups").exits(0);
        assertEquals("", text.err());
    }

    private Path devFile(String name) {
        return root.resolve(DEV).resolve(name);
    }

    @Test
    void missingVendorFile() throws IOException {
        Files.delete(devFile("vendor"));
        assertSkipped("0000:65:00.3", DEV + "/vendor");
    }

    @Test
    void emptyClassFile() throws IOException {
        Files.writeString(devFile("class"), "");
        assertSkipped("0000:65:00.3", DEV + "/class");
    }

    @Test
    void garbageInVendor() throws IOException {
        Files.writeString(devFile("vendor"), "zzzz\n");
        assertSkipped("0000:65:00.3", DEV + "/vendor");
    }

    @Test
    void danglingDeviceLink() throws IOException {
        Path link = root.resolve("sys/bus/pci/devices/0000:66:00.0");
        Files.createSymbolicLink(link, Path.of("../../../devices/pci0000:64/0000:64:00.0/0000:66:00.0"));
        assertSkipped("0000:66:00.0", "sys/bus/pci/devices/0000:66:00.0");
        // and a link whose device directory went away
        Path real = root.resolve("sys/devices/pci0000:64/0000:64:00.0/0000:65:00.3");
        passthrough.fixtures.HostWriter.deleteTree(real);
        assertSkipped("0000:65:00.3", DEV);
    }

    @Test
    void directoryWhereAnAttributeFileShouldBe() throws IOException {
        // root reads any file, so "unreadable" is made with a directory in place of the attribute
        Files.delete(devFile("class"));
        Files.createDirectory(devFile("class"));
        assertSkipped("0000:65:00.3", DEV + "/class");
    }
}
