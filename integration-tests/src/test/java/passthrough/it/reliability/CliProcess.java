package passthrough.it.reliability;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import passthrough.core.apply.FaultInjection;
import passthrough.it.cli.Cli;

/**
 * The real CLI (bin/passthrough on the bundle, the JPMS module path) as a separate JVM, so a test can SIGKILL it.
 * Its stderr is read line by line as it comes, to wait for the fault-injection markers.
 */
final class CliProcess implements AutoCloseable {
    /** Start-up flags for speed only (the tests start hundreds of JVMs); they change nothing the CLI does. */
    private static final String JAVA_OPTS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData";

    private final List<String> command;
    private final Process process;
    private final List<String> err = new ArrayList<>();
    private final Path outFile;
    private final Thread reader;

    private CliProcess(List<String> command, Process process, Path outFile) {
        this.command = command;
        this.process = process;
        this.outFile = outFile;
        this.reader = new Thread(this::readErr, "cli-stderr");
        reader.setDaemon(true);
        reader.start();
    }

    static Path launcher() {
        Path l = Cli.repo().resolve("bin/passthrough");
        assertTrue(Files.isExecutable(l), l + " is missing");
        assertTrue(Files.isDirectory(Cli.repo().resolve("distro-profiles/target/passthrough/passthrough/lib")),
                "the bundle is not built; run mvn package (mvn verify builds it before these tests)");
        return l;
    }

    /** Starts {@code passthrough --root ROOT ARGS...} with extra environment (e.g. the pause point). */
    static CliProcess start(Path root, Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(launcher().toString(), "--root", root.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("PASSTHROUGH_CDS", "off");
        pb.environment().put("JAVA_OPTS", JAVA_OPTS);
        pb.environment().remove("PASSTHROUGH_PLUGINS");
        pb.environment().remove(FaultInjection.PAUSE_AT);
        pb.environment().putAll(env);
        Path out = Files.createTempFile("passthrough-cli", ".out");
        pb.redirectOutput(out.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return new CliProcess(cmd, pb.start(), out);
    }

    /** Starts it paused at the n-th fault-injection point. */
    static CliProcess pausedAt(Path root, int point, String... args) throws IOException {
        return start(root, Map.of(FaultInjection.PAUSE_AT, Integer.toString(point)), args);
    }

    private void readErr() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (err) {
                    err.add(line);
                    err.notifyAll();
                }
            }
        } catch (IOException e) {
            // the process died: what was read is all there is
        }
    }

    /** Waits for the pause marker and returns what it names ("rename A -> B"); fails if the process ends first. */
    String awaitPause(Duration timeout) throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        synchronized (err) {
            while (true) {
                for (String l : err) {
                    if (l.startsWith(FaultInjection.PAUSED_MARKER + " ")) return l.split(" ", 3)[2];
                }
                if (!process.isAlive() && !reader.isAlive()) {
                    fail(String.join(" ", command) + " ended (exit " + process.exitValue() + ") without pausing; stderr:\n"
                            + String.join("\n", err));
                }
                long left = until - System.nanoTime();
                if (left <= 0) fail(String.join(" ", command) + " did not pause within " + timeout + "; stderr:\n" + String.join("\n", err));
                err.wait(Math.max(1, Math.min(200, left / 1_000_000)));
            }
        }
    }

    /** SIGKILL (Process.destroyForcibly on Linux); returns the exit status (137 = 128 + SIGKILL). */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the killed process did not end");
        return process.exitValue();
    }

    List<ProcessHandle> children() {
        return process.descendants().filter(ProcessHandle::isAlive).toList();
    }

    /** Waits for the end; returns exit, stdout and stderr. */
    Cli.Result finish(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            kill();
            fail(String.join(" ", command) + " did not finish within " + timeout + "; stderr:\n" + stderr());
        }
        reader.join(10_000);
        return new Cli.Result(process.exitValue(), Files.readString(outFile), stderr());
    }

    String stderr() {
        synchronized (err) {
            return String.join("\n", err);
        }
    }

    /** The fault-injection points a count run announced, in order ("temp-create /x/y", ...). */
    List<String> points() {
        List<String> out = new ArrayList<>();
        synchronized (err) {
            for (String l : err) if (l.startsWith(FaultInjection.POINT_MARKER + " ")) out.add(l.split(" ", 3)[2]);
        }
        return out;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws IOException {
        if (process.isAlive()) process.destroyForcibly();
        Files.deleteIfExists(outFile);
    }
}
