package passthrough.core.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConcurrencyTest {
    @TempDir
    Path dir;

    @Test
    void secondConcurrentApplyIsRefusedAndNeverInterleaves() throws Exception {
        TestRoot host = new TestRoot(dir.resolve("host"));
        CountDownLatch firstInside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        PlanExecutor slow = host.executor((step, m) -> {
            if (step.equals("planned")) {
                firstInside.countDown();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        List<FileOperation> plan = host.typicalPlan();
        CompletableFuture<ApplyResult> first = CompletableFuture.supplyAsync(() -> {
            try {
                return slow.apply(TestRoot.description(), plan, List.of(), ApplyOptions.defaults());
            } catch (TransactionException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(firstInside.await(10, TimeUnit.SECONDS));

        RefusedException e = assertThrows(RefusedException.class, () -> host.executor().apply(TestRoot.description(),
                plan, List.of(), ApplyOptions.defaults()));
        assertTrue(e.getMessage().startsWith("another passthrough apply/rollback is running (pid "
                + ProcessHandle.current().pid() + ")"), e.getMessage());
        assertThrows(RefusedException.class, () -> host.executor().rollback(PlanExecutor.LATEST, false, ApplyOptions.defaults()));

        release.countDown();
        assertTrue(first.get(10, TimeUnit.SECONDS).changedAnything());
        assertEquals(TestRoot.GRUB_NEW, host.read("etc/default/grub"));
        // the lock is free again
        assertEquals(1, host.executor().history().size());
        host.executor().rollback(PlanExecutor.LATEST, false, ApplyOptions.defaults());
    }

    /** A plan made while another apply ran (its reads may have seen a half-changed host) is refused, nothing written. */
    @Test
    void applyWhoseJournalMarkIsOutdatedIsRefused() throws Exception {
        TestRoot host = new TestRoot(dir.resolve("host"));
        PlanExecutor ex = host.executor();
        String mark = ex.journalMark();
        List<FileOperation> plan = host.typicalPlan();
        ex.apply(new TransactionDescription("other", "another process"),
                List.of(FileOperation.write("etc/other.conf", FileOperation.ABSENT, TestRoot.bytes("x\n"))), List.of(),
                ApplyOptions.defaults());
        java.util.Map<String, String> between = host.snapshot();

        RefusedException e = assertThrows(RefusedException.class, () -> ex.apply(TestRoot.description(), plan, List.of(),
                ApplyOptions.defaults(), mark));

        assertTrue(e.getMessage().startsWith("another passthrough apply or rollback changed this host while the plan was being made"),
                e.getMessage());
        assertEquals(between, host.snapshot());
        assertEquals(1, ex.history().size());
        assertTrue(ex.apply(TestRoot.description(), plan, List.of(), ApplyOptions.defaults(), ex.journalMark()).changedAnything());
    }
}
