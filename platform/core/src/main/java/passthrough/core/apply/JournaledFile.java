package passthrough.core.apply;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One file in a transaction's journal: enough to put it back byte for byte, with its mode and owner.
 *
 * @param path         as the plan named it
 * @param realPath     where it really is in the root (links followed); what was written
 * @param digestBefore SHA-256 before the transaction, or "absent"
 * @param digestAfter  SHA-256 after it, or "absent" (deleted)
 * @param backup       the backup's name inside the transaction directory, or null when the file was absent
 * @param mode         octal permission bits ("0644") of the original, or of a created file
 * @param status       pending until written; restored after a rollback
 */
public record JournaledFile(String path, String realPath, FileAction action, String digestBefore, String digestAfter,
                            String backup, String mode, int uid, int gid, Status status) {

    public enum Status {
        @JsonProperty("pending") PENDING,
        @JsonProperty("written") WRITTEN,
        @JsonProperty("unchanged") UNCHANGED,
        @JsonProperty("restored") RESTORED,
        /** Rollback found it changed by someone else and left it alone (see the transaction's reason). */
        @JsonProperty("left-changed") LEFT_CHANGED
    }

    JournaledFile withStatus(Status s) {
        return new JournaledFile(path, realPath, action, digestBefore, digestAfter, backup, mode, uid, gid, s);
    }

    boolean wasAbsent() {
        return digestBefore.equals(FileOperation.ABSENT);
    }

    Ownership ownership() {
        return new Ownership(Ownership.parseOctal(mode), uid, gid);
    }
}
