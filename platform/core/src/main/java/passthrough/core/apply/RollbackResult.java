package passthrough.core.apply;

import java.util.List;

/**
 * What a rollback did.
 *
 * @param state           ROLLED_BACK, or FAILED when some file could not be restored ({@code reason} names it)
 * @param files           each file with status "restored" (or "left-changed")
 * @param rerunCommands   the transaction's commands run again so generated files follow the restored sources
 * @param recovered       unfinished transactions found from an earlier crash and what was done about them
 */
public record RollbackResult(String txid, String title, TransactionState state, String reason, List<JournaledFile> files,
                             List<JournaledCommand> rerunCommands, List<RecoveredTransaction> recovered) {

    public RollbackResult {
        files = List.copyOf(files);
        rerunCommands = List.copyOf(rerunCommands);
        recovered = List.copyOf(recovered);
    }
}
