package passthrough.core.apply;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Why a transaction is being rolled back; decides the state it ends in. */
public enum RollbackCause {
    /** A command failed or a write failed during apply: ends FAILED. */
    @JsonProperty("apply-failed") APPLY_FAILED,
    /** The user asked: ends ROLLED_BACK. */
    @JsonProperty("user") USER,
    /** A crash left it unfinished and recover() undid it: ends ROLLED_BACK. */
    @JsonProperty("recovery") RECOVERY;

    TransactionState endState() {
        return this == APPLY_FAILED ? TransactionState.FAILED : TransactionState.ROLLED_BACK;
    }
}
