package passthrough.core.apply;

/**
 * A transaction a crash had left unfinished, and what recover() did about it — for the user to be told.
 *
 * @param found   the state the crash left it in
 * @param outcome the state it is in now
 * @param message one line saying what happened and what, if anything, is left to do
 */
public record RecoveredTransaction(String txid, String title, TransactionState found, TransactionState outcome,
                                   String message) {
}
