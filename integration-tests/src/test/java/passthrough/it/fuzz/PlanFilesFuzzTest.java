package passthrough.it.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import passthrough.core.apply.CommandOperation;
import passthrough.core.apply.FileOperation;
import passthrough.core.plan.Plan;
import passthrough.core.plan.PlanFiles;
import passthrough.core.plan.PlannedCommand;
import passthrough.core.plan.PlannedFile;
import passthrough.it.cli.Cli;

/**
 * Plan JSON ({@link PlanFiles}), a file the user keeps and may edit by hand, under fuzzing: it reads as a plan
 * every field of which apply can use, or fails with an IOException naming the file — never another exception. Then
 * through the real CLI: {@code apply} of a mutated plan on a copy of a sample host never crashes (exit 70), never
 * writes outside the root or into its proc/sys, and answers with one of the documented exit codes.
 */
class PlanFilesFuzzTest {
    static final String PARSER = "plan JSON (PlanFiles)";
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> NASTY = List.of("../../etc/shadow", "/etc/shadow", "etc/../../x", "proc/cmdline", "sys/bus/pci/x",
            "var/lib/passthrough/transactions/x", "etc/default/grub\u0000x", "", " ", ".", "etc//grub", "./etc/x", "etc/x/",
            "\u2028", "a".repeat(5000), "absent", "ABSENT", "00", "g".repeat(64), "0".repeat(64), "update-grub", "/bin/sh", "-c",
            "rm -rf /", "$(reboot)", "`id`", ";", "0000:65:00.0", "65:00.0; rm -rf /");

    @TempDir
    Path tmp;

    /** Real plans of the sample hosts, as `plan --json` writes them. */
    static List<String> corpus(Path root) {
        List<String> out = new ArrayList<>();
        out.add(Cli.run("--root", root.toString(), "plan", "--device", "65:00.0", "--json").exits(0).out());
        out.add(Cli.run("--root", Cli.sample("seed2-lfs-12.2").toString(), "plan", "--device", "82:00.0", "--json").exits(0).out());
        out.add(Cli.run("--root", Cli.sample("intel-iommu-off").toString(), "plan", "--device", "01:00.0", "--allow-boot-gpu", "--json")
                .exits(0).out());
        return out;
    }

    /** One structural mutation: a field removed, nulled, retyped or set to something nasty, somewhere in the tree. */
    static String mutateJson(Fuzz f, String json) throws IOException {
        JsonNode root = JSON.readTree(json);
        int times = 1 + f.below(3);
        for (int t = 0; t < times; t++) {
            List<JsonNode> containers = new ArrayList<>();
            collect(root, containers);
            JsonNode c = f.pick(containers);
            JsonNode value = switch (f.below(8)) {
                case 0 -> JsonNodeFactory.instance.nullNode();
                case 1 -> JsonNodeFactory.instance.numberNode(f.pick(List.of(-1, 0, 2, Integer.MAX_VALUE)));
                case 2 -> JsonNodeFactory.instance.booleanNode(true);
                case 3 -> JsonNodeFactory.instance.arrayNode().add(f.pick(NASTY)).addNull();
                case 4 -> JsonNodeFactory.instance.objectNode().put("x", 1);
                default -> JsonNodeFactory.instance.textNode(f.pick(NASTY));
            };
            if (c instanceof ObjectNode o && o.size() > 0) {
                List<String> names = new ArrayList<>();
                o.fieldNames().forEachRemaining(names::add);
                String name = f.pick(names);
                if (f.below(4) == 0) o.remove(name);
                else o.set(name, value);
            } else if (c instanceof ArrayNode a) {
                if (a.size() > 0 && f.below(3) == 0) a.remove(f.below(a.size()));
                else if (a.size() > 0) a.set(f.below(a.size()), value);
                else a.add(value);
            }
        }
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    private static void collect(JsonNode n, List<JsonNode> out) {
        if (n.isContainerNode()) out.add(n);
        for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) collect(it.next(), out);
    }

    String input(Fuzz f, List<String> corpus) throws IOException {
        String base = f.pick(corpus);
        return switch (f.below(4)) {
            case 0 -> f.mutate(base, 1 + f.below(4));
            case 1 -> f.next();
            default -> mutateJson(f, base);
        };
    }

    /** What apply does with a plan it read: each planned file and command becomes an operation. */
    static void toOperations(Plan plan) {
        for (PlannedFile pf : plan.files()) {
            new FileOperation(pf.path(), pf.beforeDigest(), pf.after() == null ? null : pf.after().getBytes(StandardCharsets.UTF_8),
                    pf.executable());
        }
        for (PlannedCommand c : plan.commands()) new CommandOperation(c.argv(), null);
        plan.reserved().forEach(d -> assertTrue(d != null));
        plan.findings().forEach(x -> x.severity().length());
        assertTrue(plan.root() != null && plan.target() != null && plan.binding() != null && plan.kernelParameters() != null);
    }

    @Test
    void aPlanFileReadsAsAUsablePlanOrFailsNamingTheFile() throws Exception {
        Path host = Cli.copyTree(Cli.sample("seed1-ubuntu-18.04"), tmp.resolve("host"));
        List<String> corpus = corpus(host);
        Fuzz f = new Fuzz("plan json", corpus, List.of("{", "}", "[", "]", "\"", ":", ",", "null", "\"files\"", "\"path\"",
                "\"argv\"", "\"beforeDigest\"", "1e999", "-0", "\"\\u0000\""), null);
        Path file = tmp.resolve("plan.json");
        Fuzz.run(PARSER, "read", f, Fuzz.INPUTS, ignored -> {
            String text = input(f, corpus);
            Files.writeString(file, text);
            Plan plan;
            try {
                plan = PlanFiles.read(file);
            } catch (IOException e) {
                assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
                return;
            }
            toOperations(plan);
        });
    }

    /** Every regular file and link outside the root's journal, and a canary beside the root: what apply may not touch. */
    static Map<String, String> outside(Path dir) throws IOException {
        Map<String, String> out = new java.util.TreeMap<>();
        try (var s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                String rel = dir.relativize(p).toString();
                if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) continue;
                out.put(rel, Files.isSymbolicLink(p) ? "link " + Files.readSymbolicLink(p) : Integer.toHexString(java.util.Arrays.hashCode(Files.readAllBytes(p))));
            }
        }
        return out;
    }

    @Test
    void applyingAMutatedPlanNeverCrashesNorWritesWhereItMustNot() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "skipped: not root — apply chowns (CI runs as root)");
        List<String> corpus = new ArrayList<>(corpus(Cli.copyTree(Cli.sample("seed1-ubuntu-18.04"), tmp.resolve("seed1"))));
        // apply of a saved plan reads no host facts: the files plans name, and proc/sys to prove nothing lands there
        Path base = Files.createDirectories(tmp.resolve("base/host"));
        for (String sample : List.of("seed1-ubuntu-18.04", "seed2-lfs-12.2", "intel-iommu-off")) {
            for (String dir : List.of("etc", "usr/sbin", "boot")) {
                Path from = Cli.sample(sample).resolve(dir);
                if (!Files.isDirectory(from)) continue;
                try (var files = Files.walk(from)) {
                    for (Path p : files.filter(Files::isRegularFile).toList()) {
                        Path to = base.resolve(dir).resolve(from.relativize(p).toString());
                        Files.createDirectories(to.getParent());
                        if (!Files.exists(to)) Files.copy(p, to);
                    }
                }
            }
        }
        Files.createDirectories(base.resolve("proc"));
        Files.writeString(base.resolve("proc/cmdline"), "quiet\n");
        Files.createDirectories(base.resolve("sys/bus/pci"));
        Files.writeString(base.resolve("sys/bus/pci/marker"), "sysfs\n");
        corpus.replaceAll(s -> s.replace(tmp.resolve("seed1").toString(), base.toString())
                .replace(Cli.sample("seed2-lfs-12.2").toString(), base.toString())
                .replace(Cli.sample("intel-iommu-off").toString(), base.toString()));
        Fuzz f = new Fuzz("plan json apply", corpus, List.of("{", "}", "\"", ","), null);
        Path file = tmp.resolve("plan.json");
        int runs = Math.max(50, Fuzz.INPUTS / 20);
        List<Integer> codes = new ArrayList<>();
        Fuzz.run(PARSER, "apply via CLI", f, runs, ignored -> {
            Path dir = tmp.resolve("run");
            if (Files.exists(dir)) passthrough.fixtures.HostWriter.deleteTree(dir);
            Files.createDirectories(dir);
            Path root = Cli.copyTree(base, dir.resolve("host"));
            Files.writeString(dir.resolve("canary"), "outside the root\n");
            Files.writeString(file, input(f, corpus).replace(base.toString(), root.toString()));
            Map<String, String> fixed = outside(dir);
            Cli.Result r = Cli.run("--root", root.toString(), "apply", file.toString(), "--yes", "--no-commands");
            codes.add(r.exit());
            assertTrue(Set.of(0, 1, 2, 3, 4).contains(r.exit()), "exit " + r.exit() + ": " + r.err());
            assertTrue(r.exit() == 0 || r.err().startsWith("passthrough: "), r.err());
            Map<String, String> now = outside(dir);
            for (Map.Entry<String, String> e : fixed.entrySet()) {
                String path = e.getKey();
                boolean mayChange = path.startsWith("host/etc/") || path.startsWith("host/boot/") || path.startsWith("host/var/lib/passthrough");
                if (!mayChange) assertEquals(e.getValue(), now.get(path), path + " changed (exit " + r.exit() + ")");
            }
            for (String path : now.keySet()) {
                assertTrue(fixed.containsKey(path) || path.startsWith("host/") && !path.startsWith("host/proc/")
                        && !path.startsWith("host/sys/"), path + " was created (exit " + r.exit() + ")");
            }
        });
        System.out.println("[reliability] plan JSON through apply: exit codes " + codes.stream()
                .collect(java.util.stream.Collectors.groupingBy(c -> c, java.util.TreeMap::new, java.util.stream.Collectors.counting())));
    }
}
