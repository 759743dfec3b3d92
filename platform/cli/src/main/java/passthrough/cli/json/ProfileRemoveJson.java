package passthrough.cli.json;

/** `profiles remove --json`: what was removed and the transaction that did it (for `rollback`). */
public record ProfileRemoveJson(String id, String file, String transaction) {
}
