package passthrough.plugin.dracut;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import passthrough.api.Contribution;
import passthrough.api.EarlyModulesChange;
import passthrough.api.FileChange;
import passthrough.api.HostFacts;

/**
 * Seeded fuzzing against the real reader of these files: dracut sources them with bash, so bash (run by this test, never
 * by the plugin) says what the lists hold before and after our edit. Random files of plain lines and owned list lines
 * (tabs, comments, several lines per list), random changes; the lists must become exactly what the plugin meant, a file
 * sourced before ours must keep its last word apart from our first, and every line not assigning an owned list must
 * come back byte for byte.
 */
class DracutBashOracleTest {
    private static final String[] MODULES = {"vfio_pci", "vfio", "vfio_iommu_type1", "vfio_virqfd", "pci_stub", "nvme", "kvmfr"};
    private static final String[] FILES = {"etc/passthrough/bind-by-address.sh", "etc/modprobe.d/passthrough-vfio.conf",
            "etc/modprobe.d/passthrough-pci-stub.conf", "etc/other/tool.sh"};
    private static final String[] OTHER_LINES = {"# comment", "", "hostonly=\"yes\"", "add_dracutmodules+=\" crypt lvm \"",
            "compress=\"zstd\"  # fast", "\tomit_dracutmodules+=\" plymouth \"", "# force_drivers=\"not a line\""};

    @TempDir
    Path dir;

    @BeforeAll
    static void bashIsHere() {
        assertTrue(Files.isExecutable(Path.of("/bin/bash")) || Files.isExecutable(Path.of("/usr/bin/bash")), "bash, the oracle");
    }

    @Test
    void theListsBashSeesAreTheOnesThePluginMeant() throws Exception {
        Random random = new Random(20261204L);
        for (int round = 0; round < 120; round++) {
            String before = randomFile(random);
            String release = random.nextBoolean() ? "6.11.4-301.fc41.x86_64" : "5.14.0-427.el9.x86_64";
            List<String> modules = pick(random, MODULES);
            List<String> extra = pick(random, FILES).stream().filter(f -> !f.startsWith("etc/modprobe.d/")).toList();
            List<String> changed = pick(random, FILES);
            EarlyModulesChange change = new EarlyModulesChange(modules, extra, changed, "fuzz");
            HostFacts facts = HostFacts.builder().kernelRelease(release).commands(Set.of("dracut"))
                    .files(Map.of(DracutLoader.CONF, before)).build();
            Contribution c = new DracutLoader().load(facts, change);
            String after = c.changes().stream().filter(ch -> ch instanceof FileChange).map(ch -> ((FileChange) ch).newContent())
                    .findFirst().orElse(before);
            String context = "round " + round + "\n--- before\n" + before + "\n--- after\n" + after + "\n--- " + change;

            Map<String, List<String>> was = source(before);
            Map<String, List<String>> is = source(after);
            boolean newKernel = release.startsWith("6.");
            List<String> drivers = new ArrayList<>(was.get("force_drivers"));
            if (newKernel) drivers.removeIf("vfio_virqfd"::equals);
            for (String m : modules) {
                if (!(newKernel && m.equals("vfio_virqfd")) && !drivers.contains(m)) drivers.add(m);
            }
            assertEquals(drivers, is.get("force_drivers"), context);
            List<String> items = new ArrayList<>(was.get("install_items"));
            items.removeIf(i -> changed.contains(i.substring(1)) && !extra.contains(i.substring(1)));
            for (String f : extra) if (!items.contains("/" + f)) items.add("/" + f);
            assertEquals(items, is.get("install_items"), context);
            for (String f : changed) {
                if (f.startsWith("etc/modprobe.d/")) assertTrue(is.get("install_optional_items").contains("/" + f), context);
            }
            assertEquals("nvme", is.get("glued").get(0), "a file sourced before ours keeps its words apart: " + context);
            assertEquals(unownedLines(before), unownedLines(after), context);
        }
    }

    /** The three lists after an earlier file set force_drivers=" nvme " and then {@code text} was sourced. */
    private Map<String, List<String>> source(String text) throws IOException, InterruptedException {
        Path file = dir.resolve("passthrough.conf");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        // dracut's own reading: each file sourced in turn into the same shell
        String script = "force_drivers=' nvme '; source \"$1\"; "
                + "for v in force_drivers install_items install_optional_items; do echo \"@$v\"; printf '%s\\n' ${!v}; done; "
                + "echo @glued; printf '%s\\n' $force_drivers";
        Process p = new ProcessBuilder("bash", "-c", script, "_", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        Map<String, List<String>> lists = new LinkedHashMap<>();
        String current = null;
        for (String line : out.split("\n")) {
            if (line.startsWith("@")) {
                current = line.substring(1);
                lists.put(current, new ArrayList<>());
            } else if (!line.isEmpty() && current != null) {
                lists.get(current).add(line);
            }
        }
        // the preset nvme of the surrounding shell is not part of our file's list
        lists.get("force_drivers").remove("nvme");
        return lists;
    }

    private static List<String> unownedLines(String text) {
        return text.lines().filter(l -> !l.strip().matches("(force_drivers|install_items|install_optional_items)\\+=.*")).toList();
    }

    private static String randomFile(Random random) {
        StringBuilder sb = new StringBuilder();
        int lines = random.nextInt(7);
        for (int i = 0; i < lines; i++) {
            boolean owned = random.nextInt(3) == 0;
            if (owned) {
                String var = new String[]{"force_drivers", "install_items", "install_optional_items"}[random.nextInt(3)];
                List<String> words = var.equals("force_drivers") ? pick(random, MODULES)
                        : pick(random, FILES).stream().map(f -> "/" + f).toList();
                String gap = random.nextBoolean() ? " " : "\t ";
                sb.append(random.nextBoolean() ? "" : "  ").append(var).append("+=\"").append(gap)
                        .append(String.join(random.nextBoolean() ? " " : "  ", words)).append(words.isEmpty() ? "" : gap)
                        .append('"').append(random.nextBoolean() ? "" : " # why");
            } else {
                sb.append(OTHER_LINES[random.nextInt(OTHER_LINES.length)]);
            }
            // a DOS line end is refused on an owned line (DracutLoaderTest); on the others it is kept as it is
            sb.append(!owned && random.nextInt(5) == 0 ? "\r\n" : "\n");
        }
        if (random.nextInt(4) == 0) sb.append("# no newline at the end");
        return sb.toString();
    }

    private static List<String> pick(Random random, String[] from) {
        List<String> out = new ArrayList<>();
        for (String s : from) if (random.nextInt(3) == 0) out.add(s);
        return out;
    }
}
