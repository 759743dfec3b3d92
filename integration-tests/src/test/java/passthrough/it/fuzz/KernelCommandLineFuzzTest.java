package passthrough.it.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import passthrough.api.KernelCommandLine;
import passthrough.api.KernelParameter;
import passthrough.it.cli.Cli;

/**
 * The kernel command line ({@link KernelCommandLine}) under fuzzing, with the kernel's own parser (a port of
 * next_arg/parse_args, {@link KernelCmdlineReference}) as the oracle: printing gives back the text byte for byte;
 * the parameters are the ones the kernel sees; setting or removing a parameter leaves every other parameter's bytes
 * and the init arguments alone, and the kernel reads the result as intended. Nothing throws.
 */
class KernelCommandLineFuzzTest {
    static final String PARSER = "kernel command line (KernelCommandLine)";
    static final List<String> TOKENS = List.of("quiet", "splash", "ro", "root=/dev/sda1", "intel_iommu=on", "intel-iommu=off",
            "iommu=pt", "vfio-pci.ids=10de:2184,10de:1aeb", "pci-stub.ids=10de:1e37", "acpi_osi=\"Windows 2015\"",
            "\"quoted word\"", "a=\"b c\"d", "\"", "=", "==", "=x", "--", " -- ", "single", "init=/bin/sh", " ", "  ", "\t",
            "\n", "\r", "\u000b", "\u000c", "\u001c", "\u00a0", "\u2028", "x=", "\"a=b\"", "a=\"\"", "\"\"", "BOOT_IMAGE=/vmlinuz");

    static Fuzz fuzz(String property) {
        return new Fuzz(property, List.of(Fuzz.file(Cli.sample("seed1-ubuntu-18.04").resolve("proc/cmdline")),
                Fuzz.file(Cli.sample("seed2-lfs-12.2").resolve("proc/cmdline")),
                "BOOT_IMAGE=/boot/vmlinuz-6.1.0-27-amd64 root=UUID=0f3c ro quiet -- single"),
                TOKENS, f -> {
                    StringBuilder sb = new StringBuilder();
                    int n = f.below(8);
                    for (int i = 0; i < n; i++) sb.append(i == 0 ? "" : f.pick(List.of(" ", "  ", "\t"))).append(f.token());
                    return sb.toString();
                });
    }

    /** Parameters the kernel sees that KernelParameter can represent (others are kept as text, never edited). */
    static List<KernelParameter> representable(List<KernelCmdlineReference.Param> params) {
        List<KernelParameter> out = new ArrayList<>();
        for (KernelCmdlineReference.Param p : params) {
            if (p.name().isEmpty() || p.name().chars().anyMatch(c -> c == '"' || c == '=' || KernelCmdlineReference.isspace((char) c)
                    || Character.isWhitespace(c))) continue;
            if (p.value() != null && p.value().indexOf('"') >= 0) continue;
            out.add(new KernelParameter(p.name(), p.value()));
        }
        return out;
    }

    static String noNul(String s) {
        return s.replace('\0', ' ');
    }

    @Test
    void parseThenPrintIsByteIdenticalAndTheKernelAgrees() {
        Fuzz.run(PARSER, "lossless, kernel reading", fuzz("cmdline lossless"), Fuzz.INPUTS, raw -> {
            String input = noNul(raw);
            KernelCommandLine k = KernelCommandLine.parse(input);
            assertEquals(input, k.toString());
            KernelCmdlineReference.Parsed ref = KernelCmdlineReference.parse(input);
            assertEquals(representable(ref.params()), k.parameters(), "the parameters the kernel sees");
            assertEquals(ref.init() != null, !k.initArguments().isEmpty(), "arguments for init");
        });
    }

    static KernelParameter parameter(Fuzz f) {
        String name = f.pick(List.of("intel_iommu", "intel-iommu", "iommu", "vfio-pci.ids", "vfio_pci.ids", "quiet", "new_one", "root"));
        String value = switch (f.below(5)) {
            case 0 -> null;
            case 1 -> "on";
            case 2 -> "10de:2184,10de:1aeb";
            case 3 -> "a b";
            default -> "";
        };
        return new KernelParameter(name, value);
    }

    /** The raw words of the command line (kernel splitting), for "every other parameter keeps its bytes". */
    static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            while (i < s.length() && KernelCmdlineReference.isspace(s.charAt(i))) i++;
            int start = i;
            boolean q = false;
            while (i < s.length() && (q || !KernelCmdlineReference.isspace(s.charAt(i)))) {
                if (s.charAt(i) == '"') q = !q;
                i++;
            }
            if (i > start) out.add(s.substring(start, i));
        }
        return out;
    }

    @Test
    void settingOrRemovingAParameterTouchesNothingElse() {
        Fuzz f = fuzz("cmdline edit");
        Fuzz.run(PARSER, "set/remove", f, Fuzz.INPUTS, raw -> {
            String input = noNul(raw);
            KernelCommandLine k = KernelCommandLine.parse(input);
            KernelParameter p = parameter(f);
            boolean set = f.below(2) == 0;
            KernelCommandLine edited = set ? k.with(p) : k.without(KernelParameter.flag(p.name()));
            String out = edited.toString();

            // what we print is what the kernel reads, and it is what we meant
            KernelCommandLine back = KernelCommandLine.parse(out);
            assertEquals(edited.parameters(), back.parameters(), "read back: " + Fuzz.escape(out));
            assertEquals(representable(KernelCmdlineReference.parse(out).params()), back.parameters(), "the kernel reads " + Fuzz.escape(out));
            List<KernelParameter> expected = new ArrayList<>();
            boolean placed = false;
            for (KernelParameter q : k.parameters()) {
                if (!q.sameName(p.name())) expected.add(q);
                else if (set && !placed) {
                    expected.add(p);
                    placed = true;
                }
            }
            if (set && !placed) {
                // after a last word whose quote never closes, the kernel would read it as part of that word: it goes before
                List<String> ws = words(beforeInit(k));
                String last = ws.isEmpty() ? "" : ws.get(ws.size() - 1);
                boolean open = last.chars().filter(c -> c == '"').count() % 2 == 1;
                boolean lastIsParameter = !KernelCommandLine.parse(last).parameters().isEmpty() && !mentions(last, p);
                if (open && lastIsParameter) expected.add(expected.size() - 1, p);
                else expected.add(p);
            }
            assertEquals(expected, edited.parameters());
            assertEquals(k.initArguments(), edited.initArguments(), "init arguments untouched");

            // every other word keeps its bytes and its order
            List<String> before = new ArrayList<>(words(beforeInit(k)));
            List<String> after = new ArrayList<>(words(beforeInit(edited)));
            before.removeIf(w -> mentions(w, p));
            after.removeIf(w -> mentions(w, p));
            assertEquals(before, after, "the other words of " + Fuzz.escape(input) + " -> " + Fuzz.escape(out));
        });
    }

    /** Whether a raw word is a parameter of p's name (so the edit may rewrite or remove it). */
    private static boolean mentions(String word, KernelParameter p) {
        KernelCommandLine one = KernelCommandLine.parse(word);
        return one.parameters().stream().anyMatch(q -> q.sameName(p.name()));
    }

    private static String beforeInit(KernelCommandLine k) {
        String s = k.toString();
        return k.initArguments().isEmpty() ? s : s.substring(0, s.length() - k.initArguments().length());
    }

    @Test
    void parameterParsingNeverThrowsExceptOnANameItCannotHold() {
        Fuzz.run(PARSER, "KernelParameter.parse", fuzz("cmdline parameter"), Fuzz.INPUTS, input -> {
            try {
                KernelParameter p = KernelParameter.parse(input);
                assertTrue(!p.name().isEmpty());
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage().startsWith("not a kernel parameter name") || e.getMessage().startsWith("a kernel parameter value"),
                        e.getMessage());
            }
        });
    }
}
