package passthrough.it.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Colour and quiet through the real launcher: bin/passthrough asks the shell whether stdout is a terminal, so the
 * command runs on a pseudo-terminal made by util-linux's {@code script} (as a user's shell would), and piped as a
 * script would run it.
 */
class TerminalMannersTest {
    static final Path REPO = LauncherTest.REPO;
    static final String ESC = "\u001b[";
    static final String SEED1 = REPO.resolve("samples/hosts/seed1-ubuntu-18.04").toString();

    @TempDir
    Path tmp;

    /** The launcher with ARGS: on a pseudo-terminal when {@code tty}, else with stdout a pipe. */
    Cmd run(boolean tty, Map<String, String> env, String... args) throws Exception {
        List<String> launcher = new ArrayList<>(List.of(REPO.resolve("bin/passthrough").toString()));
        launcher.addAll(List.of(args));
        List<String> cmd;
        if (tty) {
            // script -q -e -c 'CMD' /dev/null: CMD on a new pseudo-terminal, its output copied to our pipe
            StringBuilder line = new StringBuilder();
            for (String a : launcher) line.append(line.length() == 0 ? "" : " ").append("'").append(a.replace("'", "'\\''")).append("'");
            cmd = List.of("script", "-q", "-e", "-c", line.toString(), "/dev/null");
        } else {
            cmd = launcher;
        }
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("PASSTHROUGH_CDS", "off");
        pb.environment().remove("NO_COLOR");
        pb.environment().put("TERM", "xterm-256color");
        pb.environment().putAll(env);
        Path err = Files.createTempFile(tmp, "err", ".txt");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", cmd) + ": timed out");
        return new Cmd(p.exitValue(), out, Files.readString(err));
    }

    record Cmd(int exit, String out, String err) {
    }

    @Test
    void aTerminalGetsColourAPipeDoesNot() throws Exception {
        Cmd onTty = run(true, Map.of(), "--root", SEED1, "check");
        assertEquals(0, onTty.exit(), onTty.out() + onTty.err());
        assertTrue(onTty.out().contains(ESC + "32m[ok]" + ESC + "0m"), "green [ok] on a terminal:\n" + onTty.out());
        Cmd piped = run(false, Map.of(), "--root", SEED1, "check");
        assertFalse(piped.out().contains(ESC), "no escape codes into a pipe:\n" + piped.out());
        assertTrue(piped.out().contains("[ok]"), piped.out());
    }

    @Test
    void noColorDumbTerminalsAndJsonKeepATerminalPlain() throws Exception {
        assertFalse(run(true, Map.of("NO_COLOR", "1"), "--root", SEED1, "check").out().contains(ESC), "NO_COLOR");
        assertFalse(run(true, Map.of("TERM", "dumb"), "--root", SEED1, "check").out().contains(ESC), "TERM=dumb");
        assertFalse(run(true, Map.of(), "--root", SEED1, "--json", "check").out().contains(ESC), "--json");
        assertFalse(run(true, Map.of(), "--root", SEED1, "--color=never", "check").out().contains(ESC), "--color=never");
        assertTrue(run(false, Map.of("NO_COLOR", "1"), "--root", SEED1, "--color=always", "check").out().contains(ESC),
                "--color=always wins over a pipe and NO_COLOR");
    }

    @Test
    void quietLeavesTheWarningsAndTheExitStatus() throws Exception {
        Cmd full = run(false, Map.of(), "--root", SEED1, "check");
        Cmd quiet = run(false, Map.of(), "--root", SEED1, "check", "--quiet");
        assertEquals(full.exit(), quiet.exit());
        assertTrue(full.out().contains("[ok]") && !quiet.out().contains("[ok]"), quiet.out());
        assertTrue(full.out().contains("[WARN]"), full.out());
        assertEquals(full.out().lines().filter(l -> l.startsWith("[WARN]")).toList(),
                quiet.out().lines().filter(l -> l.startsWith("[WARN]")).toList(), "warnings stay");
    }

    @Test
    void aBadColorValueIsAUsageError() throws Exception {
        Cmd bad = run(false, Map.of(), "--root", SEED1, "--color=sometimes", "check");
        assertEquals(2, bad.exit(), bad.out() + bad.err());
        assertTrue(bad.err().contains("--color sometimes: expected auto, always or never"), bad.err());
    }
}
