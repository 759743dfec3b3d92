package passthrough.it.realtools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import passthrough.cli.Main;

/**
 * What the real-tool tests do to the Debian roots that integration-tests/real-tools/run prepares (RealToolsTest's GRUB
 * root, RealToolsUefiTest's UEFI variant): run passthrough on them in-process and time it, run one of the root's own
 * programs inside it, and snapshot its /etc.
 */
final class RealRoot {
    private RealRoot() {
    }

    record Run(int exit, String out, String err, long millis) {
    }

    /** passthrough --root AT ARGS in-process; the time goes to {@code timings} (printed by {@link #print}) as WHAT. */
    static Run cli(List<String> timings, String what, Path at, String... args) {
        List<String> all = new ArrayList<>(List.of("--root", at.toString()));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        long t0 = System.nanoTime();
        int exit = Main.run(all.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
        Run r = new Run(exit, out.toString(), err.toString(), (System.nanoTime() - t0) / 1_000_000);
        timings.add(String.format("%7d ms  %s", r.millis(), what));
        System.out.println(what + ": exit " + exit + " in " + r.millis() + " ms");
        return r;
    }

    static void print(List<String> timings) {
        if (timings.isEmpty()) return;
        StringBuilder sb = new StringBuilder("timings:");
        timings.forEach(t -> sb.append("\n  ").append(t));
        System.out.println(sb);
    }

    /** A program of the Debian root, run inside it with chroot (the listing tools used here need no /dev or /proc). */
    static String inRoot(Path root, String... argv) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("chroot", root.toString()));
        cmd.addAll(List.of(argv));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), String.join(" ", argv) + " timed out");
        assertEquals(0, p.exitValue(), String.join(" ", argv) + ":\n" + out);
        return out;
    }

    /** Every regular file under the root's /etc, path to its bytes (ISO-8859-1: one character per byte). */
    static Map<String, String> etc(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root.resolve("etc"))) {
            for (Path p : s.filter(Files::isRegularFile).filter(p -> !Files.isSymbolicLink(p)).toList()) {
                out.put(root.relativize(p).toString(), new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
            }
        }
        return out;
    }
}
