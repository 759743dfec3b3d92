package passthrough.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import passthrough.core.apply.CommandProgress;
import passthrough.core.apply.CommandResult;

class ProgressLineTest {
    static final List<String> ARGV = List.of("update-initramfs", "-u", "-k", "all");

    @Test
    void plainLinesWhenStderrIsNoTerminal() {
        StringWriter err = new StringWriter();
        ProgressLine p = new ProgressLine(new PrintWriter(err, true), Terminal.PLAIN);
        p.started(ARGV);
        p.line("update-initramfs: Generating /boot/initrd.img-6.1.0-21-amd64");
        p.finished(ARGV, CommandResult.Outcome.OK, Duration.ofSeconds(34));
        p.close();
        assertEquals("passthrough: running update-initramfs -u -k all\n"
                + "passthrough: update-initramfs -u -k all: ok after 34 s\n", err.toString());
    }

    @Test
    void onATerminalOneLineIsRedrawnAndErased() {
        StringWriter err = new StringWriter();
        ProgressLine p = new ProgressLine(new PrintWriter(err, true), new Terminal(false, true, false, 40));
        p.started(ARGV);
        p.line("W: Possible missing firmware /lib/firmware/i915/adlp_dmc.bin for module i915");
        p.finished(ARGV, CommandResult.Outcome.TIMED_OUT, Duration.ofSeconds(600));
        p.close();
        String s = err.toString();
        assertTrue(s.startsWith("\r\u001b[K  update-initramfs -u -k all  0 s"), s);
        assertTrue(s.endsWith("\r\u001b[K"), "erased at the end: " + s);
        assertTrue(!s.contains("\n"), "never a new line: " + s);
    }

    @Test
    void aRedrawnLineIsCutToTheWidth() throws Exception {
        StringWriter err = new StringWriter();
        ProgressLine p = new ProgressLine(new PrintWriter(err, true), new Terminal(false, true, false, 30));
        p.started(List.of("dracut", "-f", "/boot/initrd.img-6.1.0-50-amd64", "6.1.0-50-amd64"));
        p.close();
        String drawn = err.toString().substring("\r\u001b[K".length());
        assertEquals(29, drawn.length(), drawn);
        assertTrue(drawn.endsWith("…"), drawn);
    }

    @Test
    void quietHearsNothing() {
        assertSame(CommandProgress.NONE, ProgressLine.on(new PrintWriter(new StringWriter()), new Terminal(false, true, true, 80)));
    }
}
