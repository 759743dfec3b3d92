package passthrough.core.apply;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a plan's commands inside the host root: through {@code chroot} when the root is not "/", so
 * {@code update-grub} regenerates the root's grub.cfg and not this machine's ({@link ChrootInvocation} gives the
 * command /dev, /proc and /sys there).
 */
final class CommandRunner {
    static final int TAIL_LINES = 40;
    /** What a root shell's PATH holds on every distribution; the caller's PATH may lack the sbin directories. */
    static final List<String> SEARCH_PATH = List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin");
    /** chroot's and the shell's "command not found" / "not executable" statuses. */
    private static final int NOT_FOUND = 127;
    private static final int NOT_EXECUTABLE = 126;

    private final TargetResolver resolver;
    private final CommandProgress progress;

    CommandRunner(TargetResolver resolver) {
        this(resolver, CommandProgress.NONE);
    }

    CommandRunner(TargetResolver resolver, CommandProgress progress) {
        this.resolver = resolver;
        this.progress = java.util.Objects.requireNonNull(progress, "progress");
    }

    /** Whether the program can be found inside the root: checked before any file is written. */
    boolean programExists(List<String> argv) {
        return resolver.programExists(argv.get(0), SEARCH_PATH);
    }

    CommandResult run(List<String> argv, Duration timeout) {
        return run(argv, timeout, started -> { });
    }

    /** @param started told the process as soon as it runs, so the journal can name it (recovery stops an orphan) */
    CommandResult run(List<String> argv, Duration timeout, java.util.function.Consumer<ProcessHandle> started) {
        long t0 = System.nanoTime();
        progress.started(argv);
        CommandResult result = runQuietly(argv, timeout, started);
        progress.finished(argv, result.outcome(), Duration.ofNanos(System.nanoTime() - t0));
        return result;
    }

    private CommandResult runQuietly(List<String> argv, Duration timeout, java.util.function.Consumer<ProcessHandle> started) {
        List<String> full = resolver.rootIsSlash() ? argv : ChrootInvocation.argv(resolver.root(), argv);
        ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true)
                // a command waiting for input would otherwise hang until its timeout
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.put("PATH", String.join(":", SEARCH_PATH));
        env.put("LC_ALL", "C"); // messages in the output tail the user can search for
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new CommandResult(CommandResult.Outcome.MISSING, null, List.of(e.getMessage()));
        }
        started.accept(p.toHandle());
        Deque<String> tail = new ArrayDeque<>();
        Thread reader = new Thread(() -> readTail(p, tail, progress), "passthrough-command-output");
        reader.setDaemon(true);
        reader.start();
        try {
            boolean exited = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                // descendants too: "sh -c 'sleep 10'" leaves a sleep holding the output pipe open
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                reader.join(2000);
                return new CommandResult(CommandResult.Outcome.TIMED_OUT, null, snapshot(tail));
            }
            reader.join(5000);
            int status = p.exitValue();
            CommandResult.Outcome outcome = status == 0 ? CommandResult.Outcome.OK
                    : status == NOT_FOUND || status == NOT_EXECUTABLE ? CommandResult.Outcome.MISSING
                    : CommandResult.Outcome.FAILED;
            List<String> output = snapshot(tail);
            if (outcome != CommandResult.Outcome.OK && !resolver.rootIsSlash() && !ChrootInvocation.mountsAvailable()) {
                output = append(output, "(run with a plain chroot: /dev, /proc and /sys could not be mounted inside "
                        + resolver.root() + ", which needs root and mount namespaces)");
            }
            return new CommandResult(outcome, status, output);
        } catch (InterruptedException e) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return new CommandResult(CommandResult.Outcome.FAILED, null, append(snapshot(tail), "(interrupted)"));
        }
    }

    private static void readTail(Process p, Deque<String> tail, CommandProgress progress) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (tail) {
                    tail.addLast(line);
                    if (tail.size() > TAIL_LINES) tail.pollFirst();
                }
                progress.line(line);
            }
        } catch (IOException e) {
            // the process was killed and its pipe closed: what was read is the tail
        }
    }

    private static List<String> snapshot(Deque<String> tail) {
        synchronized (tail) {
            return List.copyOf(tail);
        }
    }

    private static List<String> append(List<String> l, String line) {
        List<String> out = new ArrayList<>(l);
        out.add(line);
        return out;
    }
}
