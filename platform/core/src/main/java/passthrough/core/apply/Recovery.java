package passthrough.core.apply;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finishes what a crash interrupted, before any new apply or rollback: a transaction that had run all its
 * commands is marked done; one that was writing files or running commands is rolled back to its before state
 * (the only state known to be consistent); an interrupted rollback is continued.
 */
final class Recovery {
    private final Journal journal;
    private final Restorer restorer;

    Recovery(Journal journal, Restorer restorer) {
        this.journal = journal;
        this.restorer = restorer;
    }

    /** Must run under the lock. */
    List<RecoveredTransaction> run(ApplyOptions options) throws IOException {
        List<RecoveredTransaction> out = new ArrayList<>();
        for (String txid : journal.txids()) {
            Optional<JournalManifest> loaded = journal.load(txid);
            if (loaded.isEmpty()) {
                // the crash came before the first manifest: only backups were written, no host file
                journal.removeIncomplete(txid);
                continue;
            }
            JournalManifest m = loaded.get();
            if (!m.state().unfinished()) continue;
            TransactionState found = m.state();
            JournalManifest end;
            if (found == TransactionState.COMMANDS_RUN) {
                end = m.withState(TransactionState.DONE, "finished by recover: every file was written and every command had run");
                journal.save(end);
            } else if (found == TransactionState.ROLLING_BACK) {
                end = restorer.restore(m, m.rollbackCause() == null ? RollbackCause.RECOVERY : m.rollbackCause(),
                        m.force(), m.reason(), options);
            } else {
                end = restorer.restore(m, RollbackCause.RECOVERY, false, "interrupted in state " + label(found)
                        + " (pid " + m.pid() + " stopped); rolled back by recover", options);
            }
            out.add(new RecoveredTransaction(txid, m.title(), found, end.state(), message(m, found, end)));
        }
        return out;
    }

    private static String message(JournalManifest m, TransactionState found, JournalManifest end) {
        String head = "transaction " + m.txid() + " (" + m.title() + ") was interrupted in state " + label(found);
        return switch (end.state()) {
            case DONE -> head + "; it had finished every step, so it is now marked done";
            case ROLLED_BACK -> head + "; its files were restored to their state before it"
                    + (found == TransactionState.ROLLING_BACK ? " (the interrupted rollback was finished)" : "")
                    + "; apply the plan again if you still want it";
            default -> head + "; recover could not restore everything: " + end.reason();
        };
    }

    static String label(TransactionState s) {
        return s.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
