package passthrough.it.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import passthrough.api.ModprobeConfig;

/**
 * modprobe.d ({@link ModprobeConfig}) under fuzzing, with kmod's own reading as the oracle (libkmod-config.c
 * kmod_config_parse over shared/util.c freadline_wrapped, ported in {@link Kmod}); module options are then parsed by
 * the kernel's parse_args ({@link KernelCmdlineReference}). The text is kept byte for byte; the commands, the option
 * values and the soft dependencies are the ones kmod and the kernel would use; nothing throws.
 */
class ModprobeConfigFuzzTest {
    static final String PARSER = "modprobe.d (ModprobeConfig)";
    static final Set<String> KMOD_COMMANDS = Set.of("alias", "blacklist", "options", "install", "remove", "softdep", "weakdep");
    static final List<String> TOKENS = List.of("options ", "softdep ", "install ", "blacklist ", "alias ", "remove ",
            "vfio-pci", "vfio_pci", "amdgpu", "nouveau", "snd_hda_intel", " ids=10de:1e37,10de:10f7", " ids=\"10de:1 10de:2\"",
            " disable_vga=1", " pre: vfio-pci", " post: x", "pre:", "#", " # c", "\\\n", "\\", "\t", " ", "\n", "\r\n",
            "/sbin/modprobe", "--ignore-install", ";", "\"", ",", ",,", "=", "ids=");

    static Fuzz fuzz(String property) {
        return new Fuzz(property, List.of(
                "# Written by passthrough: reserve PCI devices for vfio-pci at boot.\noptions vfio-pci ids=1002:67df,1002:aaf0\n"
                        + "softdep amdgpu pre: vfio-pci\nsoftdep snd_hda_intel pre: vfio-pci\n",
                "blacklist nouveau\noptions nouveau modeset=0\ninstall vfio-pci /bin/sh /etc/passthrough/bind-by-address.sh; "
                        + "/sbin/modprobe --ignore-install vfio-pci\n",
                "options vfio-pci \\\n  ids=10de:2184,10de:1aeb \\\n  disable_vga=1\nsoftdep nvidia pre: vfio-pci post: snd_hda_intel\n"),
                TOKENS, f -> f.pick(List.of("options", "softdep", "install", "blacklist", "#options", "  options", "alias"))
                            + f.pick(List.of(" ", "\t", "  ")) + f.pick(List.of("vfio-pci", "vfio_pci", "amdgpu", "nvidia"))
                            + (f.below(2) == 0 ? " ids=" + f.pick(List.of("10de:1e37", "10de:1e37,10de:10f7", "\"a,b\"", ",x,"))
                            : " pre: vfio-pci " + f.token()) + (f.below(6) == 0 ? " \\" : ""));
    }

    /** kmod's reading, ported. */
    static final class Kmod {
        record Command(String keyword, List<String> words, String rest) {
        }

        /** freadline_wrapped: '\' + newline joins lines with nothing between; '\' + any other character keeps that character. */
        static List<String> logicalLines(String text) {
            List<String> out = new ArrayList<>();
            StringBuilder line = new StringBuilder();
            boolean any = false;
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '\n') {
                    out.add(line.toString());
                    line.setLength(0);
                    any = false;
                } else if (c == '\\') {
                    if (i + 1 >= text.length()) continue; // backslash at end of file: dropped
                    char next = text.charAt(++i);
                    if (next == '\n') continue;
                    line.append(next);
                    any = true;
                } else {
                    line.append(c);
                    any = true;
                }
            }
            if (any || line.length() > 0) out.add(line.toString());
            return out;
        }

        static List<Command> parse(String text) {
            List<Command> out = new ArrayList<>();
            for (String line : logicalLines(text)) {
                if (line.isEmpty() || line.charAt(0) == '#') continue;
                List<String> words = new ArrayList<>();
                for (String w : line.split("[\t ]+")) if (!w.isEmpty()) words.add(w);
                if (words.isEmpty() || !KMOD_COMMANDS.contains(words.get(0))) continue;
                // strtok_r(NULL, "\0"): what follows the module name, as written
                String rest = null;
                if (words.size() >= 2) {
                    int at = line.indexOf(words.get(1), line.indexOf(words.get(0)) + words.get(0).length()) + words.get(1).length();
                    String r = line.substring(at).replaceFirst("^[\t ]+", "");
                    rest = r.isEmpty() ? null : r;
                }
                out.add(new Command(words.get(0), words.subList(1, words.size()), rest));
            }
            return out;
        }

        static String normalize(String module) {
            return module.replace('-', '_');
        }

        /** What the kernel gets as OPTION of MODULE: the options lines' rest through parse_args, comma lists split. */
        static List<String> optionValues(String text, String module, String option) {
            List<String> values = new ArrayList<>();
            for (Command c : parse(text)) {
                if (!c.keyword().equals("options") || c.words().isEmpty() || !normalize(c.words().get(0)).equals(normalize(module))
                        || c.rest() == null) continue;
                for (KernelCmdlineReference.Param p : KernelCmdlineReference.parse(c.rest()).params()) {
                    if (p.value() == null || !normalize(p.name()).equals(normalize(option))) continue;
                    for (String v : p.value().split(",")) if (!v.isBlank()) values.add(v.strip());
                }
            }
            return values;
        }

        /** Modules with MODULE among their "pre:" soft dependencies. */
        static Set<String> loadedAfter(String text, String module) {
            Set<String> out = new LinkedHashSet<>();
            for (Command c : parse(text)) {
                if (!c.keyword().equals("softdep") || c.words().size() < 2) continue;
                boolean pre = false;
                for (String w : c.words().subList(1, c.words().size())) {
                    if (w.equals("pre:")) pre = true;
                    else if (w.equals("post:")) pre = false;
                    else if (pre && normalize(w).equals(normalize(module))) out.add(normalize(c.words().get(0)));
                }
            }
            return out;
        }
    }

    static String noNul(String s) {
        return s.replace('\0', ' ');
    }

    @Test
    void textIsKeptAndWhatKmodUsesIsWhatWeRead() {
        Fuzz.run(PARSER, "lossless, kmod reading", fuzz("modprobe"), Fuzz.INPUTS, raw -> {
            String input = noNul(raw);
            ModprobeConfig c = ModprobeConfig.parse(input);
            assertEquals(input, c.text());
            List<String> ours = new ArrayList<>();
            for (ModprobeConfig.Command cmd : c.commands()) {
                if (KMOD_COMMANDS.contains(cmd.keyword())) ours.add(cmd.keyword() + " " + cmd.arguments());
            }
            List<String> kmod = new ArrayList<>();
            for (Kmod.Command cmd : Kmod.parse(input)) kmod.add(cmd.keyword() + " " + cmd.words());
            assertEquals(kmod, ours, "commands");
            for (String module : List.of("vfio-pci", "amdgpu")) {
                assertEquals(Kmod.optionValues(input, module, "ids"), c.optionValues(module, "ids"), "options " + module + " ids=");
                assertEquals(Kmod.loadedAfter(input, module), c.modulesLoadedAfter(module), "softdeps pre: " + module);
                c.hasInstallCommand(module);
            }
        });
    }
}
