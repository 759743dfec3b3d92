package passthrough.plugin.mkinitcpio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import passthrough.api.Change;
import passthrough.api.Contribution;
import passthrough.api.EarlyModulesChange;
import passthrough.api.FileChange;
import passthrough.api.HostFacts;
import passthrough.api.Severity;

/**
 * Seeded fuzzing against the real reader: bash, fed the way mkinitcpio feeds it (the main file, then the drop-ins in
 * {@code sort -V} order, concatenated and sourced; the test runs bash, never the plugin). For random main files (one-line
 * and multi-line arrays, comments, += lines, early-KMS drivers, modules of ours already in place or after a KMS driver)
 * and random drop-ins, the arrays bash sees after the plan must hold every wanted module before the first early-KMS
 * driver, every other module in its old order, FILES with the extra files and without the deleted ones, every byte
 * outside the arrays unchanged, and a second plan must change nothing.
 */
class MkinitcpioBashOracleTest {
    private static final List<String> OURS = List.of("vfio_pci", "vfio", "vfio_iommu_type1");
    private static final String[] OTHERS = {"btrfs", "crc32c", "nvme", "nvidia", "nvidia_modeset", "nvidia_drm", "amdgpu",
            "i915", "usbhid", "vfio", "vfio_pci", "vfio-pci"};
    private static final String SCRIPT = "/etc/passthrough/bind-by-address.sh";
    private static final String[] FILES = {SCRIPT, "/etc/keys/root.key", "/etc/other.conf"};
    private static final Pattern ARRAYS = Pattern.compile("(MODULES|FILES)\\+?=\\([^)]*\\)", Pattern.DOTALL);

    @TempDir
    Path dir;

    @BeforeAll
    static void bashIsHere() {
        assertTrue(Files.isExecutable(Path.of("/bin/bash")) || Files.isExecutable(Path.of("/usr/bin/bash")), "bash, the oracle");
    }

    @Test
    void theArraysBashSeesAreTheOnesThePluginMeant() throws Exception {
        Random random = new Random(20261204L);
        int refused = 0;
        for (int round = 0; round < 100; round++) {
            Map<String, String> files = new HashMap<>();
            files.put(MkinitcpioLoader.MAIN, randomMain(random));
            boolean laterAssigns = false;
            if (random.nextBoolean()) {
                files.put(MkinitcpioLoader.DROP_IN_DIR + "10-chwd.conf", (random.nextBoolean() ? "MODULES+=(" : "MODULES=(")
                        + String.join(" ", pick(random, OTHERS)) + ")\n");
                if (random.nextInt(3) == 0) {
                    laterAssigns = random.nextInt(4) == 0;
                    files.put(MkinitcpioLoader.DROP_IN_DIR + "zz-late.conf", (laterAssigns ? "MODULES=(" : "MODULES+=(")
                            + String.join(" ", pick(random, OTHERS)) + ")\n# late\n");
                }
            }
            List<String> modules = new ArrayList<>(OURS.subList(0, 1 + random.nextInt(3)));
            List<String> extra = random.nextBoolean() ? List.of(SCRIPT.substring(1)) : List.of();
            List<String> changed = random.nextBoolean() ? List.of(SCRIPT.substring(1)) : List.of();
            EarlyModulesChange change = new EarlyModulesChange(modules, extra, changed, "fuzz");
            Contribution c = new MkinitcpioLoader().load(host(files), change);
            String context = "round " + round + " " + files + " " + change + " -> " + c;
            if (laterAssigns) {
                assertTrue(c.findings().stream().anyMatch(f -> f.severity() == Severity.ERROR
                        && f.message().startsWith("etc/mkinitcpio.conf.d/zz-late.conf line 1:")), context);
                refused++;
                continue;
            }
            assertTrue(c.findings().stream().noneMatch(f -> f.severity() == Severity.ERROR), context);
            Map<String, String> after = new HashMap<>(files);
            for (Change ch : c.changes()) if (ch instanceof FileChange f) after.put(f.path(), f.newContent());

            Map<String, List<String>> was = source(files, "before");
            Map<String, List<String>> is = source(after, "after");
            List<String> got = is.get("MODULES");
            int firstKms = indexOf(got, ModuleNames::isEarlyKms);
            for (String m : modules) {
                int at = indexOf(got, w -> ModuleNames.normalize(w).equals(m));
                assertTrue(at >= 0 && (firstKms < 0 || at < firstKms), m + " before every early-KMS driver: " + got + "\n" + context);
            }
            assertEquals(withoutOurs(was.get("MODULES")), withoutOurs(got), "the others keep their order: " + context);
            List<String> expectedFiles = new ArrayList<>(was.get("FILES"));
            if (!changed.isEmpty() && extra.isEmpty()) expectedFiles.removeIf(SCRIPT::equals);
            if (!extra.isEmpty() && !expectedFiles.contains(SCRIPT)) expectedFiles.add(SCRIPT);
            assertEquals(expectedFiles, is.get("FILES"), context);
            assertEquals(was.get("HOOKS"), is.get("HOOKS"), context);
            // outside the arrays every byte stays; a new array line may only follow at the end
            String outsideBefore = ARRAYS.matcher(files.get(MkinitcpioLoader.MAIN)).replaceAll("ARRAY");
            String outsideAfter = ARRAYS.matcher(after.get(MkinitcpioLoader.MAIN)).replaceAll("ARRAY");
            assertTrue(outsideAfter.startsWith(outsideBefore)
                    && outsideAfter.substring(outsideBefore.length()).matches("\\n?(ARRAY\\n)*"), "outside the arrays: " + context);

            Contribution again = new MkinitcpioLoader().load(host(after), new EarlyModulesChange(modules, extra, List.of(), "again"));
            assertTrue(again.changes().isEmpty(), "a second plan adds nothing: " + again.changes() + "\n" + context);
        }
        assertTrue(refused > 0 && refused < 30, "the refusal case came up now and then: " + refused);
    }

    private static HostFacts host(Map<String, String> files) {
        return HostFacts.builder().kernelRelease("6.12.1-arch1-1").files(files).commands(Set.of("mkinitcpio")).build();
    }

    private static List<String> withoutOurs(List<String> modules) {
        return modules.stream().filter(m -> !OURS.contains(ModuleNames.normalize(m))).toList();
    }

    private static int indexOf(List<String> words, java.util.function.Predicate<String> p) {
        for (int i = 0; i < words.size(); i++) if (p.test(words.get(i))) return i;
        return -1;
    }

    /** MODULES, FILES and HOOKS as mkinitcpio's bash gets them from this root's configuration. */
    private Map<String, List<String>> source(Map<String, String> files, String name) throws IOException, InterruptedException {
        Path root = dir.resolve(name + System.nanoTime());
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = root.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue(), StandardCharsets.UTF_8);
        }
        Files.createDirectories(root.resolve("etc/mkinitcpio.conf.d"));
        // mkinitcpio (v36+): cat the main file and the version-sorted drop-ins into one file, then source it
        String script = "cd \"$1\" && cat etc/mkinitcpio.conf > all.conf && "
                + "for f in $(find etc/mkinitcpio.conf.d -maxdepth 1 -name '*.conf' -printf '%f\\n' | LC_ALL=C.UTF-8 sort -V); do "
                + "cat \"etc/mkinitcpio.conf.d/$f\" >> all.conf; done; source all.conf; "
                + "for v in MODULES FILES HOOKS; do echo \"@$v\"; declare -n a=$v; printf '%s\\n' \"${a[@]}\"; unset -n a; done";
        Process p = new ProcessBuilder("bash", "-c", script, "_", root.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        Map<String, List<String>> arrays = new LinkedHashMap<>();
        String current = null;
        for (String line : out.split("\n")) {
            if (line.startsWith("@")) {
                current = line.substring(1);
                arrays.put(current, new ArrayList<>());
            } else if (!line.isEmpty() && current != null) {
                arrays.get(current).add(line);
            }
        }
        return arrays;
    }

    private static String randomMain(Random random) {
        StringBuilder sb = new StringBuilder("# vim:set ft=sh\n");
        if (random.nextBoolean()) sb.append("MODULES_DECOMPRESS=\"yes\"\n");
        List<String> mods = pick(random, OTHERS);
        switch (random.nextInt(4)) {
            case 0 -> sb.append("MODULES=(").append(String.join(" ", mods)).append(")\n");
            case 1 -> {
                sb.append("MODULES=(\n");
                for (String m : mods) sb.append("  ").append(m).append(random.nextBoolean() ? "   # why\n" : "\n");
                sb.append(")\n");
            }
            case 2 -> sb.append("MODULES=(").append(String.join("  ", mods)).append(")  # mine\nMODULES+=(")
                    .append(String.join(" ", pick(random, OTHERS))).append(")\n");
            default -> sb.append("# no MODULES here\n");
        }
        sb.append("\nBINARIES=()\n");
        List<String> files = pick(random, FILES);
        if (random.nextInt(4) > 0) sb.append("FILES=(").append(String.join(" ", files)).append(")\n");
        sb.append("HOOKS=(base udev autodetect modconf kms block filesystems fsck)\n");
        if (random.nextBoolean()) sb.append("#COMPRESSION=\"zstd\"");
        return sb.toString();
    }

    private static List<String> pick(Random random, String[] from) {
        List<String> out = new ArrayList<>();
        for (String s : from) if (random.nextInt(3) == 0 && !out.contains(s)) out.add(s);
        return out;
    }
}
