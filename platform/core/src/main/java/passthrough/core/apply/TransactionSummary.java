package passthrough.core.apply;

import java.util.List;

/** One line of {@code history}: when, what, how it ended, which files. */
public record TransactionSummary(String txid, String createdAt, String planId, String title, TransactionState state,
                                 String reason, List<JournaledFile> files, List<JournaledCommand> commands) {

    public TransactionSummary {
        files = List.copyOf(files);
        commands = List.copyOf(commands);
    }

    static TransactionSummary of(JournalManifest m) {
        return new TransactionSummary(m.txid(), m.createdAt(), m.planId(), m.title(), m.state(), m.reason(), m.files(),
                m.commands());
    }
}
