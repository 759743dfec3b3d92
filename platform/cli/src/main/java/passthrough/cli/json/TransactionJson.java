package passthrough.cli.json;

import java.util.List;
import passthrough.core.apply.FileAction;
import passthrough.core.apply.JournaledCommand;
import passthrough.core.apply.JournaledFile;
import passthrough.core.apply.RecoveredTransaction;
import passthrough.core.apply.TransactionState;
import passthrough.core.apply.TransactionSummary;

/** The journal as `history --json` and `rollback --json` show it (docs/json.md); enums print as the journal's words. */
public final class TransactionJson {
    private TransactionJson() {
    }

    /** `history --json`: every journaled transaction, newest first. */
    public record History(List<Transaction> transactions) {
    }

    /**
     * One transaction: {@code planId} is the journal's name for the device the plan was made for, {@code target}
     * the same, named as in the other commands' documents.
     */
    public record Transaction(String txid, String createdAt, String planId, String target, String title,
                              TransactionState state, String reason, List<JournaledFile> files, List<CommandJson> commands) {

        public static Transaction of(TransactionSummary t) {
            return new Transaction(t.txid(), t.createdAt(), t.planId(), t.planId(), t.title(), t.state(), t.reason(),
                    t.files(), t.commands().stream().map(CommandJson::of).toList());
        }
    }

    /** One command and how it ended ("ok", "failed", "timed-out", "missing", "skipped", ...). */
    public record CommandJson(List<String> argv, JournaledCommand.Status status, Integer exitStatus, long timeoutSeconds,
                              List<String> outputTail) {

        public static CommandJson of(JournaledCommand c) {
            return new CommandJson(c.argv(), c.status(), c.exitStatus(), c.timeoutSeconds(), c.outputTail());
        }
    }

    /** `rollback --json`. */
    public record Rollback(String txid, String title, TransactionState state, String reason, boolean alreadyRolledBack,
                           boolean undoneByRecovery, List<String> rolledBack, List<RolledBackFile> files,
                           List<CommandJson> commands, List<RecoveredTransaction> recovered, boolean rebootRequired) {
    }

    /**
     * One file of a rolled-back transaction: {@code action} is what the transaction did, {@code undo} what the
     * rollback does about it ("restored", "deleted", "recreated"), {@code status} the journal's word for where it is.
     */
    public record RolledBackFile(String path, FileAction action, String undo, JournaledFile.Status status) {

        public static RolledBackFile of(JournaledFile f) {
            String undo = f.action() == null ? null : switch (f.action()) {
                case CREATE -> "deleted";
                case DELETE -> "recreated";
                case REPLACE -> "restored";
                case UNCHANGED -> "unchanged";
            };
            return new RolledBackFile(f.path(), f.action(), undo, f.status());
        }
    }
}
