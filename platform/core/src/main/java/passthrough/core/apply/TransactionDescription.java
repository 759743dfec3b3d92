package passthrough.core.apply;

import java.util.Objects;

/**
 * What a transaction is, in the words of the plan it came from; kept in the journal so {@code history}
 * can say what each transaction did.
 */
public record TransactionDescription(String planId, String title) {

    public TransactionDescription {
        Objects.requireNonNull(planId, "planId");
        Objects.requireNonNull(title, "title");
    }
}
