package passthrough.plugin.kernelstub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random kernelstub configurations, each checked against Python itself doing what kernelstub's config.py does
 * (json.load; the "user" section, else the "default" one; a string of options split on whitespace and its quoted
 * words rejoined): the words KernelstubConfig reads must be Python's, and a file Python's json refuses must be
 * refused too. The files are written both as json.dump writes them (indent 2, non-ASCII escaped) and by hand.
 */
class KernelstubPythonOracleTest {
    static final String PYTHON = """
            import json, sys
            def parse_options(options):
                for index, option in enumerate(options):
                    if '"' in option:
                        matched = False
                        itr = 1
                        while not matched:
                            try:
                                next_option = options[index + itr]
                                option = '%s %s' % (option, next_option)
                                options[index + itr] = ""
                                if '"' in next_option:
                                    matched = True
                                else:
                                    itr = itr + 1
                            except IndexError:
                                matched = True
                    options[index] = option
                return options
            for path in sys.argv[1:]:
                try:
                    with open(path) as f:
                        c = json.load(f)
                    s = c['user'] if 'user' in c else c['default']
                    o = s['kernel_options']
                    if isinstance(o, str):
                        o = parse_options(o.split())
                    print(json.dumps([w for w in o if w != ""]))
                except Exception as e:
                    print("ERROR")
            """;
    static final String[] WORDS = {"quiet", "splash", "loglevel=0", "intel_iommu=on", "vfio-pci.ids=10de:1b80,10de:10f0",
        "a=\"x", "y\"", "systemd.show_status=false", "mitigations=off", "é=1", "nvidia-drm.modeset=1"};

    @Test
    void readsWhatKernelstubsPythonReads(@TempDir Path tmp) throws Exception {
        Random random = new Random(42);
        int n = 60;
        StringBuilder argv = new StringBuilder();
        String[] texts = new String[n];
        for (int i = 0; i < n; i++) {
            StringBuilder words = new StringBuilder("[");
            StringBuilder line = new StringBuilder();
            int count = random.nextInt(6);
            for (int k = 0; k < count; k++) {
                String w = WORDS[random.nextInt(WORDS.length)];
                words.append(k == 0 ? "" : ", ").append('"').append(w.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
                line.append(k == 0 ? "" : "  ").append(w);
            }
            words.append(']');
            String options = random.nextBoolean() ? words.toString() : "\"" + line.toString().replace("\"", "\\\"") + "\"";
            String section = "{\"kernel_options\": " + options + ", \"esp_path\": \"/boot/efi\", \"config_rev\": "
                    + (random.nextBoolean() ? 3 : 2) + "}";
            String text = random.nextBoolean() ? "{\"default\": " + section + ", \"user\": " + section + "}"
                    : "{\"default\": " + section + "}";
            switch (random.nextInt(6)) {
                case 0 -> text = text.replace("}}", "},}");      // a trailing comma: json.load refuses it
                case 1 -> text = text.replace(", ", ",\n  ");
                case 2 -> text = text.replace("\"esp_path\"", "\"esp_path\": 1, \"esp_path\"");   // duplicate key
                default -> { }
            }
            texts[i] = text;
            Path f = tmp.resolve("c" + i);
            Files.writeString(f, text);
            argv.append(' ').append(f);
        }
        List<String> cmd = new java.util.ArrayList<>(List.of("python3", "-c", PYTHON));
        for (String a : argv.toString().strip().split(" ")) cmd.add(a);
        Process py = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(py.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(py.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, py.exitValue(), "python3 is needed for this oracle (.ci/run installs it): " + out);
        List<String> lines = out.lines().toList();
        assertEquals(n, lines.size(), out);
        int refused = 0;
        for (int i = 0; i < n; i++) {
            String expected = lines.get(i);
            String actual;
            try {
                actual = toJson(KernelstubConfig.read(KernelstubConfig.PATH, texts[i]).options());
            } catch (KernelstubConfig.UnreadableException e) {
                actual = "ERROR";
                refused++;
            }
            assertEquals(expected, actual, texts[i]);
        }
        assertTrue(refused > 0 && refused < n, "both kinds were tried: " + refused);
    }

    /** As Python's json.dumps prints a list of strings (", " between, non-ASCII as \\uXXXX). */
    static String toJson(List<String> words) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < words.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append('"');
            for (char c : words.get(i).toCharArray()) {
                if (c == '"' || c == '\\') sb.append('\\').append(c);
                else if (c > 126) sb.append(String.format("\\u%04x", (int) c));
                else sb.append(c);
            }
            sb.append('"');
        }
        return sb.append(']').toString();
    }
}
