package passthrough.core.apply;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Fault-injection seam for the crash tests, and for nothing else: OFF unless the environment variable
 * {@value #PAUSE_AT} is set, and then it only announces and waits — it never changes what the executor does.
 *
 * <p>The executor calls {@link #point} just before (and after) each step that changes the disk or runs something:
 * every journal write and rename, every backup, every temp file, rename, delete and directory of a host file, every
 * command start and end. With {@code PASSTHROUGH_TEST_PAUSE_AT=count} each point is announced as a line
 * {@value #POINT_MARKER}{@code  <n> <what>} and the run goes on; with {@code PASSTHROUGH_TEST_PAUSE_AT=<n>} the n-th
 * point is announced as {@value #PAUSED_MARKER}{@code  <n> <what>} and the thread blocks there, so the test can send
 * SIGKILL at exactly that instant (integration-tests {@code CrashAtEveryStepTest}). Lines go to whatever the CLI
 * registered with {@link #announceTo} (its stderr); core itself never prints.
 *
 * <p>A paused process that nobody kills halts itself after {@value #PAUSE_LIMIT_SECONDS} s, exactly like a crash
 * (no cleanup), so a test runner that died cannot leave it hanging forever.
 */
public final class FaultInjection {
    /** The environment variable: unset for normal runs, {@code count}, or the 1-based point to pause at. */
    public static final String PAUSE_AT = "PASSTHROUGH_TEST_PAUSE_AT";
    public static final String POINT_MARKER = "passthrough-test-point";
    public static final String PAUSED_MARKER = "passthrough-test-paused";
    static final long PAUSE_LIMIT_SECONDS = 300;

    /** -1 off, 0 count only, n > 0 pause at the n-th point. */
    private static final int MODE = mode(System.getenv(PAUSE_AT));
    private static final AtomicInteger REACHED = new AtomicInteger();
    private static volatile Consumer<String> announce = line -> { };

    private FaultInjection() {
    }

    /** Where the markers go; the CLI passes its stderr. */
    public static void announceTo(Consumer<String> sink) {
        announce = sink;
    }

    static boolean enabled() {
        return MODE >= 0;
    }

    /** One step that writes or runs something is about to happen (or just happened); {@code what} names it. */
    static void point(String what) {
        if (MODE < 0) return;
        int n = REACHED.incrementAndGet();
        String line = (n == MODE ? PAUSED_MARKER : POINT_MARKER) + " " + n + " " + what.replace('\n', ' ');
        announce.accept(line);
        if (n != MODE) return;
        long until = System.nanoTime() + PAUSE_LIMIT_SECONDS * 1_000_000_000L;
        while (System.nanoTime() < until) {
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                // keep waiting: only SIGKILL (or the limit) ends a pause
            }
        }
        Runtime.getRuntime().halt(137);
    }

    private static int mode(String value) {
        if (value == null || value.isBlank()) return -1;
        if (value.equals("count")) return 0;
        try {
            int n = Integer.parseInt(value.strip());
            return n > 0 ? n : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
