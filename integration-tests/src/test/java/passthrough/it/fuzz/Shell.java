package passthrough.it.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * /bin/sh as the oracle for shell-variable files: what does {@code X=<raw>} assign, what does a file set when
 * sourced? Fuzzed text is shell code, so sh runs as user nobody (when the tests run as root), with an empty
 * environment and no PATH (only builtins), stdin from /dev/null, inside a scratch directory.
 */
final class Shell {
    private static final String SEPARATOR = "\u001e--passthrough-fuzz--\u001e";

    private Shell() {
    }

    static boolean available() {
        return Files.isExecutable(Path.of("/bin/sh"));
    }

    /** The value sh assigns for each raw word (one sh run for all). */
    static List<String> evaluate(List<String> rawWords, Path workDir) throws Exception {
        StringBuilder script = new StringBuilder();
        for (String raw : rawWords) {
            script.append("X=").append(raw).append("\nprintf '%s").append(SEPARATOR).append("' \"$X\"\n");
        }
        return run(script.toString(), workDir, rawWords.size());
    }

    /**
     * The value of {@code variable} after sourcing each text (each in its own sh, so a syntax error or an {@code exit}
     * in one cannot touch the others); null where the text could not be sourced.
     */
    static List<String> sourced(List<String> texts, String variable, Path workDir) throws Exception {
        Path dir = scratch(workDir);
        StringBuilder script = new StringBuilder();
        for (int i = 0; i < texts.size(); i++) {
            Path f = dir.resolve("f" + i);
            Files.writeString(f, texts.get(i));
            Files.setAttribute(f, "unix:mode", 0644);
            script.append("if /bin/sh -c '. \"$1\" </dev/null >/dev/null 2>&1; printf \"%s\" \"$").append(variable)
                    .append("\"' sh ./f").append(i).append(" 2>/dev/null; then :; else printf '\\025'; fi; printf '")
                    .append(SEPARATOR).append("'\n");
        }
        List<String> out = run(script.toString(), dir, texts.size());
        List<String> values = new ArrayList<>();
        for (String v : out) values.add(v.endsWith("\u0015") ? null : v);
        return values;
    }

    private static Path scratch(Path workDir) throws Exception {
        Path dir = Files.createTempDirectory(workDir, "sh");
        Files.setAttribute(dir, "unix:mode", 0777);
        Files.setAttribute(workDir, "unix:mode", 0755);
        return dir;
    }

    private static List<String> run(String script, Path workDir, int expected) throws Exception {
        Path dir = workDir.getFileName().toString().startsWith("sh") ? workDir : scratch(workDir);
        Path file = dir.resolve("script.sh");
        Files.writeString(file, script);
        Files.setAttribute(file, "unix:mode", 0644);
        List<String> cmd = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
            cmd.addAll(List.of("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"));
        }
        cmd.addAll(List.of("/bin/sh", file.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().clear();
        Path err = dir.resolve("script.err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "sh hangs on " + file);
        assertEquals(0, p.exitValue(), "sh failed on its own input: " + Files.readString(err));
        String[] parts = new String(out, StandardCharsets.UTF_8).split(SEPARATOR, -1);
        List<String> values = new ArrayList<>(List.of(parts).subList(0, parts.length - 1));
        assertEquals(expected, values.size(), "one value per input");
        return values;
    }
}
