package passthrough.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import passthrough.fixtures.HostWriter;
import passthrough.fixtures.SampleHosts;

/**
 * The real lspci (pciutils) reads the sample trees and sees the same devices as `groups --json`. Its sysfs back end
 * takes the bus directory, so the option is {@code sysfs.path=<root>/sys/bus/pci}.
 */
class LspciCrossCheckTest {
    private static final Path LSPCI = Path.of("/usr/bin/lspci");
    private static final Pattern LINE = Pattern.compile(
            "^([0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]) .*\\[([0-9a-f]{4}):([0-9a-f]{4})\\](?: \\(rev [0-9a-f]{2}\\))?$");

    static List<String> samples() {
        return SampleHosts.names();
    }

    @BeforeAll
    static void needsLspci() {
        if (Files.isExecutable(LSPCI)) return;
        if (System.getenv("CI") != null) fail("lspci is missing at " + LSPCI + "; CI installs pciutils");
        Assumptions.abort("lspci is not installed (apt-get install pciutils)");
    }

    @ParameterizedTest
    @MethodSource("samples")
    void lspciSeesTheSameDevices(String sample) throws Exception {
        compare(Cli.sample(sample));
    }

    @Test
    void lspciReadsTheSyntheticHost(@TempDir Path tmp) throws Exception {
        Set<String> seen = compare(HostWriter.write(SampleHosts.synthetic(1024, 256), tmp.resolve("big")));
        assertEquals(1024, seen.size());
    }

    private static Set<String> compare(Path root) throws Exception {
        Cli.Result l = Cli.exec(null, LSPCI.toString(), "-A", "linux-sysfs", "-O", "sysfs.path=" + root.resolve("sys/bus/pci"),
                "-i", root.resolve("usr/share/misc/pci.ids").toString(), "-D", "-nn");
        assertEquals(0, l.exit(), "lspci failed: " + l.err());
        assertFalse(l.err().contains("Cannot open") || l.err().contains("Couldn't"), l.err());
        Set<String> fromLspci = new TreeSet<>();
        for (String line : l.out().split("\n")) {
            if (line.isBlank()) continue;
            Matcher m = LINE.matcher(line);
            if (!m.matches()) fail("unexpected lspci line: " + line);
            fromLspci.add(m.group(1) + " " + m.group(2) + ":" + m.group(3));
        }
        JsonNode j = Cli.run("--root", root.toString(), "groups", "--json").json();
        Set<String> fromUs = new TreeSet<>();
        j.get("groups").forEach(g -> g.get("devices").forEach(d -> add(fromUs, d)));
        j.get("ungroupedDevices").forEach(d -> add(fromUs, d));
        assertFalse(fromUs.isEmpty());
        assertEquals(fromLspci, fromUs, "lspci vs groups --json on " + root);
        return fromUs;
    }

    private static void add(Set<String> s, JsonNode d) {
        s.add(d.get("address").asText() + " " + d.get("vendor").asText() + ":" + d.get("device").asText());
    }
}
