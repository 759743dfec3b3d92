package passthrough.it.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import passthrough.api.KernelCommandLine;
import passthrough.it.cli.Cli;
import passthrough.plugin.grublfs.DefaultEntry;
import passthrough.plugin.grublfs.GrubConfigFile;

/**
 * grub.cfg ({@link GrubConfigFile}, {@link DefaultEntry}) under fuzzing: parse then print is byte-identical; finding
 * the default entry never throws (a refusal is a value); rewriting a linux line's arguments changes only those
 * bytes, reads back as the same menu with the new arguments, and — when grub-script-check is installed — never
 * turns a file GRUB accepts into one it rejects.
 */
class GrubConfigFileFuzzTest {
    static final String PARSER = "grub.cfg (GrubConfigFile, DefaultEntry)";
    static final Path RESOURCES = Cli.repo().resolve("plugins/grub-lfs/src/test/resources/passthrough/plugin/grublfs");
    static final List<String> CORPUS = List.of(Fuzz.file(RESOURCES.resolve("lfs-12.2.cfg")),
            Fuzz.file(RESOURCES.resolve("debian-12-generated.cfg")),
            Fuzz.file(Cli.sample("seed2-lfs-12.2").resolve("boot/grub/grub.cfg")));
    static final List<String> TOKENS = List.of("menuentry ", "submenu ", "'Linux'", "\"GNU/Linux, Linux 6.10\"", " {", "{", "}",
            "\n}", "linux ", "linux16 ", "linuxefi ", "/boot/vmlinuz-6.10.5", " root=/dev/sda2 ro", " quiet", " intel_iommu=on",
            "initrd /boot/initrd.img", "set default=0", "set default=\"1>0\"", "set default=", "$menuentry_id_option", " --id ",
            "'gnulinux-simple'", "if [ x ]; then", "fi", "else", "function f {", "insmod ext2", ";", "#", " # c", "\\\n", "\\",
            "$root", "${var}", "\"", "'", " ", "\t", "\n", "\r\n", "search --set=root --fs-uuid 1234", "chainloader +1");

    @TempDir
    Path tmp;

    static Fuzz fuzz(String property) {
        return new Fuzz(property, CORPUS, TOKENS, GrubConfigFileFuzzTest::line);
    }

    static String line(Fuzz f) {
        return switch (f.below(9)) {
            case 0 -> "menuentry " + f.pick(List.of("'A'", "\"B C\"", "D", "'E' --class os $menuentry_id_option 'e-id'")) + " {";
            case 1 -> "submenu 'Advanced' {";
            case 2 -> "}";
            case 3 -> "\t" + f.pick(List.of("linux", "linux16", "linuxefi")) + "   /boot/vmlinuz-6.1 " + args(f);
            case 4 -> "set default=" + f.pick(List.of("0", "1", "\"A\"", "'e-id'", "\"Advanced>1\"", "$saved", "99"));
            case 5 -> f.pick(List.of("if [ x ]; then", "fi", "function load {", "else"));
            case 6 -> "  initrd /boot/initrd.img-6.1";
            case 7 -> "# " + f.token();
            default -> f.token() + f.token();
        };
    }

    /** Kernel arguments as the writer produces them (KernelCommandLine text), sometimes with GRUB-special characters. */
    static String args(Fuzz f) {
        List<String> words = new ArrayList<>();
        int n = f.below(6);
        for (int i = 0; i < n; i++) {
            words.add(f.pick(List.of("root=/dev/sda2", "ro", "quiet", "intel_iommu=on", "iommu=pt", "vfio-pci.ids=10de:1e37",
                    "console=ttyS0,115200n8", "a=\"b c\"", "x=$y", "semi;colon", "brace{", "hash#", "back\\slash", "it's")));
        }
        return String.join(f.below(6) == 0 ? "  " : " ", words);
    }

    @Test
    void parseThenPrintIsByteIdenticalAndTheDefaultEntryIsAValue() {
        Fuzz.run(PARSER, "lossless", fuzz("grub-cfg lossless"), Fuzz.INPUTS, input -> {
            GrubConfigFile cfg = GrubConfigFile.parse("boot/grub/grub.cfg", input);
            assertEquals(input, cfg.text());
            DefaultEntry d = DefaultEntry.of(cfg);
            if (d.found()) {
                assertEquals(1, d.entry().linuxLines().size());
                assertEquals(d.linux(), d.entry().linuxLines().get(0));
                assertTrue(d.linux().problemText().isEmpty());
            } else {
                assertNotNull(d.refusal().code());
                assertTrue(d.refusal().message().contains("boot/grub/grub.cfg"), d.refusal().message());
            }
            cfg.lineOf(input.length());
            cfg.defaults();
        });
    }

    static List<GrubConfigFile.LinuxLine> linuxLines(List<GrubConfigFile.Entry> entries) {
        List<GrubConfigFile.LinuxLine> out = new ArrayList<>();
        for (GrubConfigFile.Entry e : entries) {
            out.addAll(e.linuxLines());
            out.addAll(linuxLines(e.children()));
        }
        return out;
    }

    /** The menu as a person sees it: kinds, titles, lines, and the linux lines' images, not their arguments. */
    static String shape(GrubConfigFile cfg) {
        StringBuilder sb = new StringBuilder(cfg.problem().orElse("ok")).append(cfg.defaults()).append('\n');
        shape(cfg.entries(), sb, "");
        return sb.toString();
    }

    private static void shape(List<GrubConfigFile.Entry> entries, StringBuilder sb, String indent) {
        for (GrubConfigFile.Entry e : entries) {
            sb.append(indent).append(e.kind()).append(' ').append(e.title()).append(" line ").append(e.line())
                    .append(e.conditional() ? " conditional" : "").append('\n');
            for (GrubConfigFile.LinuxLine l : e.linuxLines()) {
                sb.append(indent).append("  ").append(l.command()).append(' ').append(l.image()).append(" line ").append(l.line()).append('\n');
            }
            shape(e.children(), sb, indent + "  ");
        }
    }

    @Test
    void rewritingArgumentsChangesOnlyThemAndKeepsTheMenu() throws Exception {
        Fuzz f = fuzz("grub-cfg edit");
        List<String[]> pairs = new ArrayList<>();
        Fuzz.run(PARSER, "edit", f, Fuzz.INPUTS, input -> {
            GrubConfigFile cfg = GrubConfigFile.parse("boot/grub/grub.cfg", input);
            if (cfg.problem().isPresent()) return;
            List<GrubConfigFile.LinuxLine> all = linuxLines(cfg.entries());
            if (all.isEmpty()) return;
            GrubConfigFile.LinuxLine l = all.get(f.below(all.size()));
            String args = f.below(3) == 0 ? args(f) : KernelCommandLine.parse(l.arguments()).toString() + " vfio-pci.ids=10de:1e37";
            args = args.strip();
            GrubConfigFile edited;
            try {
                edited = cfg.withArguments(l, args);
            } catch (IllegalArgumentException refused) {
                assertTrue(refused.getMessage().startsWith("boot/grub/grub.cfg line " + l.line()), refused.getMessage());
                return;
            }
            String out = edited.text();
            // no arguments before or after: the blank between image and arguments goes (or comes) with them
            int from = l.argumentsStart() == l.argumentsEnd() || args.isEmpty() ? l.imageEnd() : l.argumentsStart();
            assertEquals(input.substring(0, from), out.substring(0, from), "bytes before the arguments");
            String tail = input.substring(l.argumentsEnd());
            assertTrue(out.endsWith(tail), "bytes after the arguments");
            assertEquals(shape(cfg), shape(edited), "the same menu");
            GrubConfigFile.LinuxLine back = linuxLines(edited.entries()).stream().filter(x -> x.line() == l.line()).findFirst().orElseThrow();
            assertEquals(args, back.arguments(), "the arguments read back");
            if (pairs.size() < 1500) pairs.add(new String[] {input, out});
        });
        grubScriptCheckAgrees(pairs);
    }

    /** An edit never turns a grub.cfg that grub-script-check accepts into one it rejects. */
    private void grubScriptCheckAgrees(List<String[]> pairs) throws Exception {
        Path check = Path.of("/usr/bin/grub-script-check");
        assumeTrue(Files.isExecutable(check), "grub-script-check not installed (apt-get install grub-common): edits "
                + "were checked by our parser only");
        int compared = 0;
        List<String> broken = new ArrayList<>();
        for (String[] p : pairs) {
            if (!accepts(check, p[0])) continue;
            compared++;
            if (!accepts(check, p[1])) broken.add(Fuzz.escape(p[0]) + "\n   -> " + Fuzz.escape(p[1]));
        }
        assertEquals(List.of(), broken.subList(0, Math.min(3, broken.size())), broken.size() + " edits broke GRUB syntax");
        System.out.println("[reliability] grub.cfg: " + compared + " edits of files grub-script-check accepts, all still accepted");
    }

    private boolean accepts(Path check, String text) throws Exception {
        Path f = Files.createTempFile(tmp, "grub", ".cfg");
        Files.writeString(f, text);
        Process p = new ProcessBuilder(check.toString(), f.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        Files.delete(f);
        return p.exitValue() == 0;
    }
}
