package passthrough.core.plan;

/**
 * One file the plan writes.
 *
 * @param path         relative to the host root
 * @param beforeDigest SHA-256 of the current bytes, or "absent": apply refuses a plan whose files changed since
 * @param before       current text, null when absent
 * @param after        new text, null to delete
 * @param reason       why, from the plugin that asked for it
 * @param plugin       that plugin's id
 * @param executable   the file is written executable (mode 0755 when created; an existing file keeps its mode
 *                     with the execute bits added)
 */
public record PlannedFile(String path, String beforeDigest, String before, String after, String reason, String plugin,
                          boolean executable) {
}
