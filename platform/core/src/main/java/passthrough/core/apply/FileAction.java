package passthrough.core.apply;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a transaction does to one file, decided from its current state before anything is written. */
public enum FileAction {
    @JsonProperty("create") CREATE,
    @JsonProperty("replace") REPLACE,
    @JsonProperty("delete") DELETE,
    /** Already as the plan wants it: not rewritten, so applying twice changes nothing the second time. */
    @JsonProperty("unchanged") UNCHANGED
}
