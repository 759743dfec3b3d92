package passthrough.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import passthrough.core.apply.ApplyOptions;
import passthrough.core.apply.FileOperation;
import passthrough.core.apply.PlanExecutor;
import passthrough.core.apply.TransactionDescription;
import passthrough.it.cli.Cli;
import passthrough.fixtures.SampleHosts;

/**
 * Kills the real CLI with SIGKILL at every point where it writes or runs something, and proves the host is never
 * left half-changed.
 *
 * <p>For each scenario a first run with {@code PASSTHROUGH_TEST_PAUSE_AT=count} lists the executor's fault-injection
 * points (see {@code FaultInjection}); then, for every point n, a fresh copy of the host gets the same command paused
 * at point n, the test sends SIGKILL and checks:
 * <ol>
 *   <li>every file of the host is byte-identical (content, mode, owner) to its state before the command or after
 *       it — never empty, truncated or mixed — and only passthrough's own temp files are extra;</li>
 *   <li>the journal says what happened: the host never changed without the journal recording it first, a file the
 *       journal calls written (or restored) has exactly that content, and {@code history} lists every transaction;</li>
 *   <li>the next {@code apply} (or {@code rollback}) completes the job: exit 0, the host exactly as after an
 *       uninterrupted run, no temp file, nothing unfinished in the journal;</li>
 *   <li>a rollback afterwards gives back the original bytes of every file.</li>
 * </ol>
 * Needs root (chroot for the commands, chown for the files); CI runs as root.
 */
@org.junit.jupiter.api.parallel.Execution(org.junit.jupiter.api.parallel.ExecutionMode.CONCURRENT) // two kills at a time
class CrashAtEveryStepTest {
    private static final Duration PAUSE_TIMEOUT = Duration.ofSeconds(90);
    static final AtomicInteger KILLS = new AtomicInteger();

    @TempDir
    static Path tmp;
    private static final AtomicInteger COPIES = new AtomicInteger();

    @BeforeAll
    static void needsRoot() {
        assumeTrue(isRoot(), "skipped: not root — these tests chroot and chown like the real apply (CI runs them as root)");
        CliProcess.launcher();
    }

    @AfterAll
    static void report() {
        System.out.println("[reliability] CrashAtEveryStepTest: " + KILLS.get() + " SIGKILLs at fault-injection points");
    }

    static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    enum Kind { APPLY, ROLLBACK }

    /** How a scenario prepares its host copy before the command that gets killed. */
    @FunctionalInterface
    interface Setup {
        void prepare(HostCopy host) throws Exception;
    }

    /** What the run after the kill must achieve: finish the job, or (the user changed their mind) undo it. */
    enum Next { COMPLETE, UNDO }

    record Scenario(String name, String sample, boolean runnableCommands, Kind kind, Setup setup, List<String> args,
                    List<String> nextArgs, Next next) {
        Scenario(String name, String sample, boolean runnableCommands, Kind kind, Setup setup, List<String> args,
                 List<String> nextArgs) {
            this(name, sample, runnableCommands, kind, setup, args, nextArgs, Next.COMPLETE);
        }
    }

    static final String SEED1_DEVICE = "65:00.0";
    /** In nextArgs: the id of the newest transaction before the kill, as a user retries `rollback TXID`. */
    static final String NEWEST = "<newest-txid>";
    static final String SEED2_DEVICE = "82:00.0";

    static List<String> applyArgs(String device) {
        return List.of("apply", "--device", device, "--yes");
    }

    @TestFactory
    Stream<DynamicTest> applySeed1WithUpdateGrub() throws Exception {
        return scenario(new Scenario("apply seed1", SampleHosts.SEED1, true, Kind.APPLY, h -> { },
                applyArgs(SEED1_DEVICE), applyArgs(SEED1_DEVICE)));
    }

    /** The user answers a killed apply with `rollback`: the host must end exactly as before the apply. */
    @TestFactory
    Stream<DynamicTest> applySeed1ThenRollbackInstead() throws Exception {
        return scenario(new Scenario("apply seed1, then rollback", SampleHosts.SEED1, true, Kind.APPLY, h -> { },
                applyArgs(SEED1_DEVICE), List.of("rollback"), Next.UNDO));
    }

    @TestFactory
    Stream<DynamicTest> applySeed2Lfs() throws Exception {
        return scenario(new Scenario("apply seed2", SampleHosts.SEED2, false, Kind.APPLY, h -> { },
                applyArgs(SEED2_DEVICE), applyArgs(SEED2_DEVICE)));
    }

    @TestFactory
    Stream<DynamicTest> rollbackSeed1WithUpdateGrub() throws Exception {
        return scenario(new Scenario("rollback seed1", SampleHosts.SEED1, true, Kind.ROLLBACK,
                h -> earlierTransactionThenApply(h, SEED1_DEVICE), List.of("rollback"), List.of("rollback", NEWEST)));
    }

    @TestFactory
    Stream<DynamicTest> rollbackSeed2Lfs() throws Exception {
        return scenario(new Scenario("rollback seed2", SampleHosts.SEED2, false, Kind.ROLLBACK,
                h -> earlierTransactionThenApply(h, SEED2_DEVICE), List.of("rollback"), List.of("rollback", NEWEST)));
    }

    /** The recovery itself is killed: an apply killed after update-grub ran, then the recovering apply killed too. */
    @TestFactory
    Stream<DynamicTest> recoveryOfSeed1KilledAtEveryStep() throws Exception {
        return scenario(new Scenario("recovery seed1", SampleHosts.SEED1, true, Kind.APPLY,
                h -> killedApply(h, SEED1_DEVICE, "command-end update-grub"), applyArgs(SEED1_DEVICE), applyArgs(SEED1_DEVICE)));
    }

    @TestFactory
    Stream<DynamicTest> recoveryOfSeed2KilledAtEveryStep() throws Exception {
        return scenario(new Scenario("recovery seed2", SampleHosts.SEED2, false, Kind.APPLY,
                h -> killedApply(h, SEED2_DEVICE, "renamed <root>/etc/sysconfig/modules"),
                applyArgs(SEED2_DEVICE), applyArgs(SEED2_DEVICE)));
    }

    /** A done transaction from before (must survive a rollback of the newer one), then the device's apply. */
    static void earlierTransactionThenApply(HostCopy h, String device) throws Exception {
        PlanExecutor.forRoot(h.root).apply(new TransactionDescription("earlier", "an earlier, unrelated transaction"),
                List.of(FileOperation.write("etc/passthrough-earlier.conf", FileOperation.ABSENT,
                        "# written by an earlier transaction\n".getBytes(StandardCharsets.UTF_8))),
                List.of(), ApplyOptions.defaults());
        Cli.run(Stream.concat(Stream.of("--root", h.root.toString()), applyArgs(device).stream()).toArray(String[]::new)).exits(0);
    }

    private static final Map<String, Integer> POINT_NUMBERS = new java.util.concurrent.ConcurrentHashMap<>();
    /** The state a killed apply left, made once per scenario by a real SIGKILL and then copied for each kill. */
    private static final Map<String, Path> KILLED_STATES = new java.util.concurrent.ConcurrentHashMap<>();

    /** Leaves the host as an apply killed at the first point whose name starts with {@code point} (root as "<root>"). */
    static void killedApply(HostCopy h, String device, String point) throws Exception {
        String key = h.sample + " " + point;
        Path template = KILLED_STATES.get(key);
        if (template != null) {
            h.replaceWith(template);
            return;
        }
        killedApplyForReal(h, device, point);
        Path state = tmp.resolve("killed-state-" + KILLED_STATES.size());
        HostCopy copy = HostCopy.of(h.sample, state);
        copy.replaceWith(h.root);
        KILLED_STATES.put(key, state);
    }

    private static void killedApplyForReal(HostCopy h, String device, String point) throws Exception {
        boolean runnable = Files.exists(h.root.resolve("bin/busybox"));
        int n = POINT_NUMBERS.computeIfAbsent(h.sample + " " + point, k -> {
            try {
                HostCopy probe = copy(h.sample, runnable);
                try (CliProcess count = CliProcess.start(probe.root, Map.of("PASSTHROUGH_TEST_PAUSE_AT", "count"),
                        applyArgs(device).toArray(String[]::new))) {
                    count.finish(Duration.ofSeconds(120)).exits(0);
                    List<String> points = count.points();
                    for (int i = 0; i < points.size(); i++) {
                        if (points.get(i).replace(probe.root.toString(), "<root>").startsWith(point)) return i + 1;
                    }
                    throw new AssertionError("no point " + point + " in " + points);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try (CliProcess p = CliProcess.pausedAt(h.root, n, applyArgs(device).toArray(String[]::new))) {
            String paused = p.awaitPause(PAUSE_TIMEOUT).replace(h.root.toString(), "<root>");
            assertTrue(paused.startsWith(point), "paused at " + paused + ", not " + point);
            assertEquals(137, p.kill());
        }
        assertFalse(JournalView.read(h.root).unfinished().isEmpty(), "the killed apply left an unfinished transaction");
    }

    static HostCopy copy(String sample, boolean runnableCommands) throws Exception {
        HostCopy h = HostCopy.of(sample, tmp.resolve(sample + "-" + COPIES.incrementAndGet()));
        if (runnableCommands) h.withRunnableCommands();
        return h;
    }

    static String[] withRoot(HostCopy h, List<String> args) {
        List<String> all = new ArrayList<>(List.of("--root", h.root.toString()));
        all.addAll(args);
        return all.toArray(String[]::new);
    }

    /** Snapshots of one uninterrupted run: the pristine copy, before the command (after setup), after it. */
    record Reference(Map<String, String> pristine, Map<String, String> before, Map<String, String> after, List<String> points) {
    }

    Stream<DynamicTest> scenario(Scenario s) throws Exception {
        HostCopy h = copy(s.sample(), s.runnableCommands());
        Map<String, String> pristine = h.snapshot();
        s.setup().prepare(h);
        Map<String, String> before = h.snapshot();
        List<String> points;
        Cli.Result counted;
        try (CliProcess count = CliProcess.start(h.root, Map.of("PASSTHROUGH_TEST_PAUSE_AT", "count"),
                s.args().toArray(String[]::new))) {
            counted = count.finish(Duration.ofSeconds(120));
            points = count.points();
        }
        counted.exits(0);
        Map<String, String> after = h.snapshot();
        assertFalse(after.equals(pristine), s.name() + ": the command leaves the host changed (or the test proves nothing)");
        assertTrue(points.size() >= 10, s.name() + ": fault-injection points: " + points);
        Reference ref = new Reference(pristine, before, after, points);
        String rootText = h.root.toString();
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            int n = i + 1;
            String point = points.get(i).replace(rootText, "<root>");
            tests.add(DynamicTest.dynamicTest(s.name() + ": SIGKILL at " + n + "/" + points.size() + " " + point,
                    () -> killAt(s, ref, n, point)));
        }
        return tests.stream();
    }

    void killAt(Scenario s, Reference ref, int n, String point) throws Exception {
        HostCopy h = copy(s.sample(), s.runnableCommands());
        HostCopy.assertSameHost(ref.pristine(), h.snapshot(), "fresh copy");
        s.setup().prepare(h);
        HostCopy.assertSameHost(ref.before(), h.snapshot(), "setup is deterministic");
        JournalView journalBefore = JournalView.read(h.root);

        // 1. the real CLI, paused at point n, then SIGKILL
        try (CliProcess p = CliProcess.pausedAt(h.root, n, s.args().toArray(String[]::new))) {
            String paused = p.awaitPause(PAUSE_TIMEOUT).replace(h.root.toString(), "<root>");
            assertEquals(kindOf(point), kindOf(paused), "paused at the same kind of step as the count run listed");
            List<ProcessHandle> orphans = p.children();
            if (!insideACommand(ref.points(), n)) {
                assertEquals(List.of(), orphans, "no command is running outside command-start..command-end");
            }
            assertEquals(137, p.kill(), "exit status of a SIGKILLed process");
            // the command outlives passthrough (KilledDuringACommandTest covers what the next run does about a slow
            // one); this fast stand-in is let finish, so the checks below see files, not its half-way temp file
            for (ProcessHandle o : orphans) o.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
            KILLS.incrementAndGet();
        }

        // 2. every file entirely old or entirely new
        Map<String, String> now = h.snapshot();
        Set<String> paths = new LinkedHashSet<>(now.keySet());
        paths.addAll(ref.before().keySet());
        paths.addAll(ref.after().keySet());
        for (String path : paths) {
            String v = now.get(path);
            Set<String> allowed = new LinkedHashSet<>();
            allowed.add(String.valueOf(ref.pristine().get(path)));
            allowed.add(String.valueOf(ref.before().get(path)));
            allowed.add(String.valueOf(ref.after().get(path)));
            assertTrue(allowed.contains(String.valueOf(v)), path + " after SIGKILL at " + point + " is " + v
                    + ", neither its state before (" + ref.before().get(path) + ") nor after (" + ref.after().get(path) + ")");
        }
        for (String temp : h.tempFiles()) {
            assertTrue(point.startsWith("temp-") || point.startsWith("rename "), "temp file " + temp
                    + " left by a kill at " + point + " (only a kill while writing one may leave it)");
        }

        // 3. the journal says what happened
        JournalView journal = JournalView.read(h.root);
        if (!now.equals(ref.before())) {
            assertNotEquals(journalBefore.fingerprint(), journal.fingerprint(),
                    "the host changed but the journal recorded nothing (kill at " + point + ")");
        }
        if (s.kind() == Kind.ROLLBACK && !now.equals(ref.before())) {
            String rolledBack = journalBefore.manifests().keySet().stream().reduce((a, b) -> b).orElseThrow();
            assertTrue(List.of("rolling-back", "rolled-back").contains(journal.state(rolledBack)),
                    "files changed by the rollback, the journal says " + journal.state(rolledBack));
        }
        journalMatchesTheFiles(h, journal, point);
        Cli.Result history = Cli.run("--root", h.root.toString(), "history", "--json").exits(0);
        for (Map.Entry<String, JsonNode> e : journal.manifests().entrySet()) {
            if (e.getValue() != null) assertTrue(history.out().contains(e.getKey()), "history lists " + e.getKey());
        }

        // 4. the next run completes the job (or undoes it, when that is what the user asked for)
        List<String> unfinished = journal.unfinished();
        String newest = journalBefore.manifests().keySet().stream().reduce((a, b) -> b).orElse("");
        Cli.Result next = Cli.run(withRoot(h, s.nextArgs().stream().map(a -> a.equals(NEWEST) ? newest : a).toList()));
        if (s.next() == Next.UNDO) {
            boolean journaled = journal.manifests().size() > journalBefore.manifests().size()
                    && journal.manifests().values().stream().anyMatch(java.util.Objects::nonNull);
            if (journaled || next.exit() != 3) {
                assertEquals(0, next.exit(), "`" + String.join(" ", s.nextArgs()) + "` after a kill at " + point
                        + "\nstdout:\n" + next.out() + "\nstderr:\n" + next.err());
            } else {
                // killed before its first manifest: nothing was changed or journaled, so nothing is there to undo
                assertTrue(next.err().contains("no transaction is done"), next.err());
            }
            HostCopy.assertSameHost(ref.before(), h.snapshot(), "undone after a kill at " + point);
            assertEquals(List.of(), h.tempFiles(), "temp files left");
            assertEquals(List.of(), JournalView.read(h.root).unfinished(), "unfinished transactions left");
            return;
        }
        assertEquals(0, next.exit(), "next `" + String.join(" ", s.nextArgs()) + "` after a kill at " + point
                + "\nstdout:\n" + next.out() + "\nstderr:\n" + next.err());
        if (unfinished.stream().anyMatch(id -> journal.manifests().get(id) != null) && s.kind() == Kind.APPLY) {
            assertTrue(next.out().contains("Recovered an unfinished transaction first"), next.out());
        }
        HostCopy.assertSameHost(ref.after(), h.snapshot(), "the host after the next run equals an uninterrupted run (kill at " + point + ")");
        assertEquals(List.of(), h.tempFiles(), "temp files left");
        assertEquals(List.of(), JournalView.read(h.root).unfinished(), "unfinished transactions left");

        // 5. and a rollback gives back the original bytes
        Cli.run("--root", h.root.toString(), "rollback").exits(0);
        if (s.kind() == Kind.APPLY) {
            HostCopy.assertSameHost(ref.pristine(), h.snapshot(), "rollback restores every file (kill at " + point + ")");
        } else {
            // the second rollback undoes the earlier transaction: the host as it was before both
            HostCopy.assertSameHost(ref.pristine(), h.snapshot(), "the earlier transaction, rolled back too, leaves the pristine host (kill at " + point + ")");
        }
    }

    /** A file the journal calls written/restored, or a transaction in a state that says so, has exactly that content. */
    static void journalMatchesTheFiles(HostCopy h, JournalView journal, String point) throws Exception {
        for (Map.Entry<String, Map.Entry<JsonNode, JsonNode>> e : journal.newestEntryPerFile().entrySet()) {
            JsonNode m = e.getValue().getKey();
            JsonNode f = e.getValue().getValue();
            String state = m.get("state").asText();
            String status = f.get("status").asText();
            String digest = h.digest(e.getKey());
            String where = e.getKey() + " in " + m.get("txid").asText() + " (" + state + ", " + status + ") after a kill at " + point;
            if (state.equals("rolling-back") && !status.equals("restored")) {
                assertTrue(digest.equals(f.get("digestBefore").asText()) || digest.equals(f.get("digestAfter").asText()),
                        where + " is neither the before nor the after content");
            } else if (state.equals("rolled-back") || status.equals("restored")) {
                assertEquals(f.get("digestBefore").asText(), digest, where + " should hold its content before the transaction");
            } else if (List.of("files-written", "commands-run", "done").contains(state) || status.equals("written")) {
                assertEquals(f.get("digestAfter").asText(), digest, where + " should hold the transaction's new content");
            } else {
                assertTrue(digest.equals(f.get("digestBefore").asText()) || digest.equals(f.get("digestAfter").asText()),
                        where + " is neither the before nor the after content");
            }
        }
    }

    /** Whether point n lies between a command's start and end (its process is journaled there while it runs). */
    static boolean insideACommand(List<String> points, int n) {
        boolean inside = false;
        for (int i = 0; i < n; i++) {
            if (points.get(i).startsWith("command-start ")) inside = true;
            else if (points.get(i).startsWith("command-end ")) inside = false;
        }
        return inside && !points.get(n - 1).startsWith("command-start ");
    }

    /** "rename <root>/a -> <root>/b" -> "rename"; the paths hold transaction ids that differ run to run. */
    static String kindOf(String point) {
        int space = point.indexOf(' ');
        return space < 0 ? point : point.substring(0, space);
    }
}
