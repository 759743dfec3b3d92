package passthrough.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import passthrough.fixtures.SampleHosts;
import passthrough.it.cli.Cli;

/**
 * SIGKILL while update-grub runs. The command outlives the killed passthrough (nothing kills a child when its
 * parent dies), and a real update-grub reads /etc/default/grub first and writes grub.cfg seconds later. If the
 * next run restored the files and regenerated grub.cfg while that orphan still ran, the orphan would then write a
 * grub.cfg with the rolled-back parameters: the host would boot changed under a journal saying "rolled back".
 */
class KilledDuringACommandTest {
    /** Reads the defaults, is slow, then writes grub.cfg from what it read — as grub-mkconfig does. */
    static final String SLOW_UPDATE_GRUB = """
            #!/bin/sh
            set -e
            line=$(grep '^GRUB_CMDLINE_LINUX' /etc/default/grub)
            echo started > /update-grub.started
            # slow on the new configuration only, so a re-run on the restored files finishes before the orphan
            case "$line" in *.ids=*) sleep 3;; esac
            mkdir -p /boot/grub
            { echo "# generated from /etc/default/grub"; echo "$line"; } > /boot/grub/grub.cfg.new
            mv /boot/grub/grub.cfg.new /boot/grub/grub.cfg
            """;

    @TempDir
    Path tmp;

    @Test
    void aCommandOrphanedByTheKillCannotUndoTheRollbackLater() throws Exception {
        assumeTrue(CrashAtEveryStepTest.isRoot(), "skipped: not root — commands run under chroot (CI runs this as root)");
        HostCopy h = HostCopy.of(SampleHosts.SEED1, tmp.resolve("host")).withRunnableCommands();
        h.withScript("update-grub", SLOW_UPDATE_GRUB);
        Files.writeString(h.root.resolve("boot/grub/grub.cfg"), "# generated from /etc/default/grub\n"
                + String.join("\n", Files.readAllLines(h.root.resolve("etc/default/grub")).stream()
                        .filter(l -> l.startsWith("GRUB_CMDLINE_LINUX")).toList()) + "\n");
        Map<String, String> pristine = h.snapshot();

        try (CliProcess apply = CliProcess.start(h.root, Map.of(), "apply", "--device", "65:00.0", "--yes")) {
            long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!Files.exists(h.root.resolve("update-grub.started")) && System.nanoTime() < until) Thread.sleep(20);
            assertTrue(Files.exists(h.root.resolve("update-grub.started")), "update-grub started: " + apply.stderr());
            assertEquals(137, apply.kill());
        }
        // the user's answer: roll it back
        Cli.Result r = Cli.run("--root", h.root.toString(), "rollback");
        assertEquals(0, r.exit(), r.out() + r.err());
        // give an orphan every chance to do its late write
        Thread.sleep(4000);
        Files.deleteIfExists(h.root.resolve("update-grub.started"));
        HostCopy.assertSameHost(pristine, h.snapshot(), "after the rollback and any late write");
        assertEquals(List.of(), JournalView.read(h.root).unfinished());
    }
}
