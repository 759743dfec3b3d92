package passthrough.core.apply;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the journal knows about one transaction; saved whole and atomically after every step, so it is
 * never half-written and always tells what had happened when the process stopped.
 *
 * @param format             bumped when a field changes meaning, so an older journal is read correctly
 * @param root               the host root it was applied to, for the reader's orientation only
 * @param createdAt          ISO-8601 UTC
 * @param pid                the process that ran it
 * @param rollbackCause      why it is being or was rolled back, or null
 * @param force              the rollback overwrites files changed since (recorded so recovery continues alike)
 * @param reason             why it failed or was rolled back, in one line, or null
 * @param createdDirectories directories the transaction created, outermost first; rollback removes them if empty
 * @param rollbackCommands   commands re-run after a rollback so generated files follow the restored sources
 */
public record JournalManifest(int format, String txid, String planId, String title, String root, String createdAt,
                              String updatedAt, long pid, TransactionState state, RollbackCause rollbackCause,
                              boolean force, String reason, List<String> createdDirectories, List<JournaledFile> files,
                              List<JournaledCommand> commands, List<JournaledCommand> rollbackCommands) {
    static final int FORMAT = 1;

    public JournalManifest {
        createdDirectories = createdDirectories == null ? List.of() : List.copyOf(createdDirectories);
        files = files == null ? List.of() : List.copyOf(files);
        commands = commands == null ? List.of() : List.copyOf(commands);
        rollbackCommands = rollbackCommands == null ? List.of() : List.copyOf(rollbackCommands);
    }

    JournalManifest withState(TransactionState s, String why) {
        return new JournalManifest(format, txid, planId, title, root, createdAt, now(), pid, s, rollbackCause, force,
                why, createdDirectories, files, commands, rollbackCommands);
    }

    JournalManifest rollingBack(RollbackCause cause, boolean forced, String why) {
        return new JournalManifest(format, txid, planId, title, root, createdAt, now(), ProcessHandle.current().pid(),
                TransactionState.ROLLING_BACK, cause, forced, why, createdDirectories, files, commands, rollbackCommands);
    }

    JournalManifest withFile(int i, JournaledFile f) {
        List<JournaledFile> l = new ArrayList<>(files);
        l.set(i, f);
        return new JournalManifest(format, txid, planId, title, root, createdAt, now(), pid, state, rollbackCause, force,
                reason, createdDirectories, l, commands, rollbackCommands);
    }

    JournalManifest withCommand(int i, JournaledCommand c) {
        List<JournaledCommand> l = new ArrayList<>(commands);
        l.set(i, c);
        return new JournalManifest(format, txid, planId, title, root, createdAt, now(), pid, state, rollbackCause, force,
                reason, createdDirectories, files, l, rollbackCommands);
    }

    JournalManifest withRollbackCommands(List<JournaledCommand> l) {
        return new JournalManifest(format, txid, planId, title, root, createdAt, now(), pid, state, rollbackCause, force,
                reason, createdDirectories, files, commands, l);
    }

    static String now() {
        return Instant.now().toString();
    }
}
