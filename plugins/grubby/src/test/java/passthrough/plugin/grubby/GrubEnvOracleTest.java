package passthrough.plugin.grubby;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * grubenv files written by the real grub-editenv (grub-common, which CI installs), with seeded random variables whose
 * values hold spaces, '=', '$', backslashes and newlines: GrubEnv must read back exactly what was set.
 */
class GrubEnvOracleTest {
    static final String ALPHABET = "abcXYZ019 =$\\\n#,.:;/_-\"'";

    static String run(List<String> argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", argv));
        assertEquals(0, p.exitValue(), String.join(" ", argv) + ": " + out);
        return out;
    }

    @Test
    void readsWhatGrubEditenvWrote(@TempDir Path tmp) throws Exception {
        Path tool = Path.of("/usr/bin/grub-editenv");
        assertTrue(Files.isExecutable(tool), "grub-editenv is missing: install grub-common (.ci/run does)");
        Random random = new Random(17);
        for (int round = 0; round < 40; round++) {
            Path env = tmp.resolve("grubenv" + round);
            run(List.of(tool.toString(), env.toString(), "create"));
            Map<String, String> expected = new LinkedHashMap<>();
            List<String> argv = new ArrayList<>(List.of(tool.toString(), env.toString(), "set"));
            int n = 1 + random.nextInt(4);
            for (int i = 0; i < n; i++) {
                String name = (i == 0 ? "kernelopts" : "var" + i);
                StringBuilder value = new StringBuilder();
                int len = random.nextInt(40);
                for (int k = 0; k < len; k++) value.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                expected.put(name, value.toString());
                argv.add(name + "=" + value);
            }
            run(argv);
            String text = new String(Files.readAllBytes(env), StandardCharsets.ISO_8859_1);
            assertEquals(1024, text.length(), "grub-editenv pads the block to 1024 bytes");
            assertEquals(expected, GrubEnv.parse(text), "round " + round + ":\n" + text.replace("#", ""));
        }
        assertEquals(Map.of(), GrubEnv.parse("not an environment block\nkernelopts=x\n"));
    }
}
