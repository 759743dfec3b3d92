package passthrough.core.apply;

import java.util.List;

/**
 * What an apply did.
 *
 * @param txid      the journaled transaction, or null when every file already had its new content (nothing was
 *                  written and no transaction was recorded)
 * @param files     each file and its action ("unchanged" for those already as wanted)
 * @param commands  each command and how it ended ("skipped" when not run)
 * @param recovered unfinished transactions found from an earlier crash and what was done about them
 */
public record ApplyResult(String txid, List<JournaledFile> files, List<JournaledCommand> commands,
                          List<RecoveredTransaction> recovered) {

    public ApplyResult {
        files = List.copyOf(files);
        commands = List.copyOf(commands);
        recovered = List.copyOf(recovered);
    }

    public boolean changedAnything() {
        return txid != null;
    }
}
