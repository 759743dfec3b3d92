package passthrough.plugin.grubby;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded random /etc/default/grub files, sourced by bash as grub2-mkconfig sources them: after the edit, bash must
 * see GRUB_CMDLINE_LINUX with the parameter added and every other variable as before; a file the editor refuses must
 * be one whose winning assignment is not a plain double-quoted value.
 */
class GrubCmdlineLinuxBashOracleTest {
    static final String[] LINES = {
        "GRUB_TIMEOUT=5", "GRUB_DEFAULT=saved", "GRUB_DISABLE_SUBMENU=true", "# GRUB_CMDLINE_LINUX=\"commented out\"",
        "GRUB_TERMINAL_OUTPUT=\"console\"", "GRUB_ENABLE_BLSCFG=true", "", "   ", "GRUB_DISTRIBUTOR=\"Fedora\"",
        "GRUB_CMDLINE_LINUX=\"rhgb quiet\"", "GRUB_CMDLINE_LINUX=\"\"", "export GRUB_CMDLINE_LINUX=\"rd.lvm.lv=fedora/root rhgb\"",
        "GRUB_CMDLINE_LINUX=\"resume=UUID=1 rhgb quiet\"  # keep resume", "  GRUB_CMDLINE_LINUX=\"a  b\tc\"",
        "GRUB_CMDLINE_LINUX='single quoted'", "GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX extra\"",
        "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"", "GRUB_CMDLINE_LINUXX=\"not it\"",
    };

    static String bash(Path file) throws Exception {
        String script = "set -a; . \"$1\"; for v in GRUB_TIMEOUT GRUB_DEFAULT GRUB_DISABLE_SUBMENU GRUB_TERMINAL_OUTPUT "
                + "GRUB_ENABLE_BLSCFG GRUB_DISTRIBUTOR GRUB_CMDLINE_LINUX GRUB_CMDLINE_LINUX_DEFAULT GRUB_CMDLINE_LINUXX; do "
                + "printf '%s=[%s]\\n' \"$v\" \"${!v}\"; done";
        Process p = new ProcessBuilder("bash", "-c", script, "_", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void editsOnlyTheWinningValueAsBashSeesIt(@TempDir Path tmp) throws Exception {
        Random random = new Random(1717);
        int edited = 0;
        int refused = 0;
        for (int round = 0; round < 120; round++) {
            List<String> lines = new ArrayList<>();
            int n = random.nextInt(8);
            for (int i = 0; i < n; i++) lines.add(LINES[random.nextInt(LINES.length)]);
            String text = String.join("\n", lines) + (random.nextBoolean() ? "\n" : "");
            Path before = tmp.resolve("before" + round);
            Files.writeString(before, text);
            String seen = bash(before);
            GrubCmdlineLinux g = GrubCmdlineLinux.of(text);
            if (g.problemIfAny().isPresent()) {
                refused++;
                assertTrue(g.problem().contains("line " + g.line()), g.problem());
                String winning = text.lines().filter(l -> l.matches("^[ \\t]*(export[ \\t]+)?GRUB_CMDLINE_LINUX=.*"))
                        .reduce((a, b) -> b).orElseThrow();
                assertTrue(winning.contains("'") || winning.contains("$"), "refused a plain value: " + winning);
                continue;
            }
            String current = seen.lines().filter(l -> l.startsWith("GRUB_CMDLINE_LINUX=[")).findFirst().orElseThrow();
            String value = current.substring("GRUB_CMDLINE_LINUX=[".length(), current.length() - 1);
            assertEquals(value, g.value(), text);
            String next = (value.isBlank() ? "" : value + " ") + "intel_iommu=on";
            String out = g.withValue(next);
            Path after = tmp.resolve("after" + round);
            Files.writeString(after, out);
            String expected = seen.replace(current, "GRUB_CMDLINE_LINUX=[" + next + "]");
            assertEquals(expected, bash(after), "round " + round + ":\n" + text + "\n---\n" + out);
            // only the value changed (or one line appended)
            assertTrue(g.present() ? out.length() - text.length() == next.length() - value.length()
                    : out.startsWith(text), out);
            edited++;
        }
        assertTrue(edited > 20 && refused > 5, "edited " + edited + ", refused " + refused);
    }
}
