package passthrough.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import passthrough.core.apply.CommandProgress;
import passthrough.core.apply.CommandResult;

/**
 * The progress of a long command on stderr (update-initramfs, dracut, update-grub, virsh). On a terminal one line is
 * redrawn every second: the command, the seconds so far and its last output line, cut to the width, and erased when
 * the command ends (apply prints what ran and how it went on stdout). Elsewhere (a log, a pipe, CI) plain lines: when
 * it starts, every {@link #STILL_RUNNING_EVERY} while it runs, with its last output line, and when it ends. Nothing
 * with {@code --quiet}.
 */
final class ProgressLine implements CommandProgress {
    static final Duration STILL_RUNNING_EVERY = Duration.ofSeconds(30);
    private static final String ERASE = "\r\u001b[K";

    private final PrintWriter err;
    private final Terminal terminal;
    private final Object lock = new Object();
    private ScheduledExecutorService ticker;
    private ScheduledFuture<?> tick;
    private String command;
    private String lastLine = "";
    private long startedNanos;

    ProgressLine(PrintWriter err, Terminal terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    /** What a command gets: this, or nothing at all when quiet. */
    static CommandProgress on(PrintWriter err, Terminal terminal) {
        return terminal.quiet() ? CommandProgress.NONE : new ProgressLine(err, terminal);
    }

    @Override
    public void started(List<String> argv) {
        synchronized (lock) {
            command = String.join(" ", argv);
            lastLine = "";
            startedNanos = System.nanoTime();
            if (terminal.liveProgress()) {
                draw();
                tick = ticker().scheduleAtFixedRate(this::redraw, 1, 1, TimeUnit.SECONDS);
            } else {
                err.println("passthrough: running " + command);
                long every = STILL_RUNNING_EVERY.toSeconds();
                tick = ticker().scheduleAtFixedRate(this::stillRunning, every, every, TimeUnit.SECONDS);
            }
        }
    }

    private ScheduledExecutorService ticker() {
        if (ticker == null) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "passthrough-progress");
                t.setDaemon(true);
                return t;
            });
        }
        return ticker;
    }

    @Override
    public void line(String line) {
        synchronized (lock) {
            if (!line.isBlank()) lastLine = line.strip();
        }
    }

    @Override
    public void finished(List<String> argv, CommandResult.Outcome outcome, Duration took) {
        synchronized (lock) {
            if (tick != null) tick.cancel(false);
            tick = null;
            if (terminal.liveProgress()) {
                err.print(ERASE);
                err.flush();
            } else {
                err.println("passthrough: " + command + ": " + outcome.name().toLowerCase().replace('_', ' ') + " after "
                        + took.toSeconds() + " s");
            }
            command = null;
        }
    }

    private void redraw() {
        synchronized (lock) {
            if (command != null) draw();
        }
    }

    private void stillRunning() {
        synchronized (lock) {
            if (command == null) return;
            err.println("passthrough: " + command + ": still running after " + seconds() + " s"
                    + (lastLine.isEmpty() ? "" : "; last output: " + lastLine));
        }
    }

    private void draw() {
        String text = "  " + command + "  " + seconds() + " s" + (lastLine.isEmpty() ? "" : "  " + lastLine);
        int width = Math.max(20, terminal.columns() - 1);
        if (text.length() > width) text = text.substring(0, width - 1) + "…";
        err.print(ERASE + text);
        err.flush();
    }

    private long seconds() {
        return (System.nanoTime() - startedNanos) / 1_000_000_000L;
    }

    /** Stops the ticking thread (the JVM ends anyway; tests call it). */
    void close() {
        synchronized (lock) {
            if (ticker != null) ticker.shutdownNow();
            ticker = null;
        }
    }
}
