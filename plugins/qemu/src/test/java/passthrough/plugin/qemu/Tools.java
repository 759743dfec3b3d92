package passthrough.plugin.qemu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** The real tools the tests run: bash, shellcheck, mkfifo. */
final class Tools {

    private Tools() {
    }

    /**
     * {@code tool} on PATH. A developer's machine may lack shellcheck: the test skips there, saying so; CI (.ci/run sets
     * PASSTHROUGH_CI=1 and installs the Debian package shellcheck) fails instead.
     */
    static void require(String tool, String debianPackage) {
        boolean found = false;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) found = true;
        }
        String message = tool + " is not installed (Debian package " + debianPackage + ")";
        if ("1".equals(System.getenv("PASSTHROUGH_CI"))) assertTrue(found, message);
        Assumptions.assumeTrue(found, message + "; skipped outside CI");
    }

    /** A file a package installs: as {@link #require}, skipped outside CI when missing, failed in CI. */
    static void requireFile(Path file, String debianPackage) {
        boolean found = Files.isRegularFile(file);
        String message = file + " is missing (Debian package " + debianPackage + ")";
        if ("1".equals(System.getenv("PASSTHROUGH_CI"))) assertTrue(found, message);
        Assumptions.assumeTrue(found, message + "; skipped outside CI");
    }

    record Result(int exit, String out) {
    }

    static Result run(List<String> argv) throws Exception {
        return run(argv, java.util.Map.of(), null);
    }

    static Result run(List<String> argv, java.util.Map<String, String> env, Path dir) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(argv)).redirectErrorStream(true);
        pb.environment().putAll(env);
        if (dir != null) pb.directory(dir.toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + argv);
        return new Result(p.exitValue(), new String(out, java.nio.charset.StandardCharsets.UTF_8));
    }
}
