package passthrough.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import passthrough.fixtures.SampleHosts;
import passthrough.it.cli.Cli;

/** Two real `passthrough` processes on one host at once: the second refuses with a clear message, never interleaves. */
class ConcurrentApplyTest {
    static final String[] APPLY = {"apply", "--device", "65:00.0", "--yes"};

    @TempDir
    Path tmp;

    @BeforeEach
    void needsRoot() {
        assumeTrue(CrashAtEveryStepTest.isRoot(), "skipped: not root — apply chowns and chroots like on a real host (CI runs as root)");
    }

    /** The number of the first fault-injection point of an apply whose name starts with {@code kind}. */
    static int pointOf(HostCopy probe, String kind) throws Exception {
        try (CliProcess count = CliProcess.start(probe.root, Map.of("PASSTHROUGH_TEST_PAUSE_AT", "count"), APPLY)) {
            count.finish(Duration.ofSeconds(120)).exits(0);
            List<String> points = count.points();
            for (int i = 0; i < points.size(); i++) if (points.get(i).startsWith(kind)) return i + 1;
            throw new AssertionError("no point " + kind + " in " + points);
        }
    }

    @Test
    void aSecondApplyOrRollbackWhileTheFirstIsMidTransactionIsRefused() throws Exception {
        int point = pointOf(HostCopy.of(SampleHosts.SEED1, tmp.resolve("probe")).withRunnableCommands(), "temp-create");
        HostCopy h = HostCopy.of(SampleHosts.SEED1, tmp.resolve("host")).withRunnableCommands();
        Map<String, String> pristine = h.snapshot();
        try (CliProcess first = CliProcess.pausedAt(h.root, point, APPLY)) {
            assertTrue(first.awaitPause(Duration.ofSeconds(90)).startsWith("temp-create"));
            JournalView during = JournalView.read(h.root);

            for (String[] second : List.of(APPLY, new String[] {"rollback"}, new String[] {"apply", "--device", "65:00.0", "--yes", "--no-commands"})) {
                try (CliProcess p = CliProcess.start(h.root, Map.of(), second)) {
                    Cli.Result r = p.finish(Duration.ofSeconds(120));
                    assertEquals(3, r.exit(), String.join(" ", second) + ":\n" + r.err());
                    assertTrue(r.err().contains("another passthrough apply/rollback is running (pid " + first.pid()
                            + "); wait for it to finish and try again"), r.err());
                }
            }
            // the refused runs wrote nothing: the journal and the host are as the paused first one left them
            assertEquals(during.fingerprint(), JournalView.read(h.root).fingerprint());
            HostCopy.assertSameHost(pristine, h.snapshot(), "the first apply is paused before its first host write");
            // reading is never blocked
            Cli.run("--root", h.root.toString(), "plan", "--device", "65:00.0").exits(0);
            assertEquals(137, first.kill());
        }
        // the lock died with the process: the next apply recovers the first transaction and completes
        Cli.Result next = Cli.run("--root", h.root.toString(), APPLY[0], APPLY[1], APPLY[2], APPLY[3]).exits(0);
        assertTrue(next.out().contains("Recovered an unfinished transaction first"), next.out());
        assertEquals(List.of(), JournalView.read(h.root).unfinished());
    }

    /** Unpaused races: whoever loses is refused (lock busy, or its plan is stale), and the journal shows one apply. */
    @Test
    void twoAppliesStartedTogetherNeverInterleave() throws Exception {
        HostCopy reference = HostCopy.of(SampleHosts.SEED1, tmp.resolve("reference")).withRunnableCommands();
        Cli.run("--root", reference.root.toString(), APPLY[0], APPLY[1], APPLY[2], APPLY[3]).exits(0);
        Map<String, String> applied = reference.snapshot();
        List<String> outcomes = new ArrayList<>();
        for (int round = 0; round < 8; round++) {
            HostCopy h = HostCopy.of(SampleHosts.SEED1, tmp.resolve("race-" + round)).withRunnableCommands();
            List<Cli.Result> results = new ArrayList<>();
            try (CliProcess a = CliProcess.start(h.root, Map.of(), APPLY); CliProcess b = CliProcess.start(h.root, Map.of(), APPLY)) {
                results.add(a.finish(Duration.ofSeconds(120)));
                results.add(b.finish(Duration.ofSeconds(120)));
            }
            int appliedCount = 0;
            for (Cli.Result r : results) {
                outcomes.add(r.exit() + (r.out().contains("Applied as transaction") ? " applied" : r.out().contains("Nothing to do") ? " nothing-to-do" : " refused"));
                if (r.exit() == 0 && r.out().contains("Applied as transaction")) {
                    appliedCount++;
                } else if (r.exit() == 0) {
                    assertTrue(r.out().contains("Nothing to do"), r.out());
                } else {
                    assertEquals(3, r.exit(), r.err());
                    assertTrue(r.err().contains("another passthrough apply/rollback is running (pid ")
                            || r.err().contains("another passthrough apply or rollback changed this host while the plan was being made"),
                            r.err());
                }
            }
            assertEquals(1, appliedCount, "exactly one of the two applied: " + results);
            HostCopy.assertSameHost(applied, h.snapshot(), "round " + round);
            JournalView journal = JournalView.read(h.root);
            assertEquals(1, journal.manifests().size(), "one transaction journaled");
            assertEquals(Set.of("done"), Set.copyOf(journal.manifests().values().stream().map(m -> m.get("state").asText()).toList()));
            assertEquals(List.of(), h.tempFiles());
        }
        System.out.println("[reliability] ConcurrentApplyTest: racing pairs " + outcomes);
    }
}
