package passthrough.core.apply;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where a transaction is. Each state is written to the journal before the next step starts, so after a crash
 * the state says which steps may have happened: {@code recover} rolls back from PLANNED, FILES_WRITTEN and
 * ROLLING_BACK, and finishes COMMANDS_RUN.
 */
public enum TransactionState {
    @JsonProperty("planned") PLANNED,
    @JsonProperty("files-written") FILES_WRITTEN,
    @JsonProperty("commands-run") COMMANDS_RUN,
    @JsonProperty("done") DONE,
    @JsonProperty("rolling-back") ROLLING_BACK,
    @JsonProperty("rolled-back") ROLLED_BACK,
    @JsonProperty("failed") FAILED;

    /** A crash left it here: the host may be between its before and after state. */
    public boolean unfinished() {
        return this == PLANNED || this == FILES_WRITTEN || this == COMMANDS_RUN || this == ROLLING_BACK;
    }
}
