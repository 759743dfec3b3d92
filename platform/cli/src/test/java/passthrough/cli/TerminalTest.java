package passthrough.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TerminalTest {
    static final Map<String, String> XTERM = Map.of("TERM", "xterm-256color");

    static Terminal decide(Map<String, String> env, boolean stdoutTty, boolean stderrTty, String... args) {
        return Terminal.decide(args, env, stdoutTty, stderrTty);
    }

    @Test
    void autoColoursOnlyATerminalStdout() {
        assertTrue(decide(XTERM, true, true, "check").color());
        assertFalse(decide(XTERM, false, true, "check").color(), "stdout piped");
        assertTrue(decide(XTERM, true, true, "check").liveProgress());
        assertFalse(decide(XTERM, true, false, "check").liveProgress(), "stderr piped: plain progress lines");
    }

    @Test
    void noColorAndDumbTerminalsAndJsonTurnAutoOff() {
        assertFalse(decide(Map.of("TERM", "xterm", "NO_COLOR", "1"), true, true, "check").color());
        assertTrue(decide(Map.of("TERM", "xterm", "NO_COLOR", ""), true, true, "check").color(), "an empty NO_COLOR does not count");
        assertFalse(decide(Map.of("TERM", "dumb"), true, true, "check").color());
        assertFalse(decide(Map.of("TERM", "dumb"), true, true, "check").liveProgress(), "a dumb terminal cannot redraw");
        assertFalse(decide(Map.of(), true, true, "check").color(), "no TERM at all");
        assertFalse(decide(XTERM, true, true, "check", "--json").color());
    }

    @Test
    void theFlagWinsOverTheEnvironment() {
        assertTrue(decide(Map.of("NO_COLOR", "1"), false, false, "--color=always", "check").color());
        assertTrue(decide(Map.of(), false, false, "check", "--color", "always").color());
        assertFalse(decide(XTERM, true, true, "--color=never", "check").color());
        assertFalse(decide(XTERM, true, true, "--color=sometimes", "check").color(), "picocli refuses it; no colour meanwhile");
        assertFalse(decide(Map.of(), false, false, "check", "--", "--color=always").color(), "after -- it is an argument");
    }

    @Test
    void quietTakesTheProgressAway() {
        Terminal t = decide(XTERM, true, true, "-q", "apply");
        assertTrue(t.quiet());
        assertFalse(t.liveProgress());
        assertTrue(decide(XTERM, true, true, "--quiet", "apply").quiet());
    }

    @Test
    void columnsComeFromTheEnvironment() {
        assertEquals(132, decide(Map.of("TERM", "xterm", "COLUMNS", "132"), true, true).columns());
        assertEquals(80, decide(Map.of("TERM", "xterm", "COLUMNS", "wide"), true, true).columns());
        assertEquals(80, decide(Map.of("TERM", "xterm", "COLUMNS", "5"), true, true).columns());
    }
}
