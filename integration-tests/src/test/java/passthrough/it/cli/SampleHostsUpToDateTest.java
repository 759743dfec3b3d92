package passthrough.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import passthrough.fixtures.SampleHostBuilder;
import passthrough.fixtures.SampleHosts;

/** samples/hosts must be exactly what the builder writes: regenerate and compare byte for byte. */
class SampleHostsUpToDateTest {

    @Test
    void committedSampleHostsMatchTheModel(@TempDir Path tmp) throws IOException {
        SampleHostBuilder.writeAll(tmp);
        Path committed = Cli.repo().resolve("samples/hosts");
        List<String> names = new ArrayList<>();
        try (Stream<Path> s = Files.list(committed)) {
            s.filter(Files::isDirectory).forEach(p -> names.add(p.getFileName().toString()));
        }
        names.sort(null);
        assertEquals(SampleHosts.names(), names, "host directories under samples/hosts");
        for (String name : names) {
            Map<String, String> want = snapshot(tmp.resolve(name), true);
            Map<String, String> have = snapshot(committed.resolve(name), true);
            List<String> diffs = new ArrayList<>();
            for (var e : want.entrySet()) {
                if (!e.getValue().equals(have.get(e.getKey()))) diffs.add(e.getKey() + ": " + (have.containsKey(e.getKey()) ? "differs" : "missing"));
            }
            for (String k : have.keySet()) if (!want.containsKey(k)) diffs.add(k + ": not written by the builder");
            assertTrue(diffs.isEmpty(), "samples/hosts/" + name + " is out of date; run samples/regenerate and commit:\n  "
                    + String.join("\n  ", diffs.subList(0, Math.min(40, diffs.size()))));
        }
    }

    /**
     * Every entry by relative path: "file:" + hex bytes, "link:" + target, "dir". Directories are left out when
     * {@code skipEmptyDirs}: git cannot keep empty ones, so a checkout lacks those of the iommu-off host.
     */
    static Map<String, String> snapshot(Path root, boolean skipEmptyDirs) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String rel = root.relativize(p).toString();
                if (rel.isEmpty()) continue;
                if (Files.isSymbolicLink(p)) {
                    out.put(rel, "link:" + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    // a directory holding files or links is implied by them; one holding nothing (even nested
                    // empty directories) cannot be kept by git, so it is compared only when asked
                    if (!skipEmptyDirs) out.put(rel, "dir");
                } else {
                    out.put(rel, "file:" + java.util.HexFormat.of().formatHex(Files.readAllBytes(p)));
                }
            }
        }
        return out;
    }
}
