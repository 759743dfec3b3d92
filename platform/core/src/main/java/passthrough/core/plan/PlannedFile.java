package passthrough.core.plan;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import passthrough.api.FileOrigin;
import passthrough.core.host.LosslessText;

/**
 * One file the plan writes.
 *
 * @param path         relative to the host root
 * @param beforeDigest SHA-256 of the bytes the plugins saw, or "absent": apply refuses a plan whose files changed since
 * @param before       current text, null when absent
 * @param after        new text, null to delete
 * @param reason       why, from the plugin that asked for it
 * @param plugin       that plugin's id
 * @param executable   the file is written executable (mode 0755 when created; an existing file keeps its mode
 *                     with the execute bits added)
 * @param charset      how {@code before} was decoded and {@code after} is encoded: "UTF-8", or "ISO-8859-1" for a file
 *                     that is not valid UTF-8 (each byte one character), so every byte the edit did not touch is
 *                     written back as it was; a plan saved by an earlier version has none and means UTF-8
 */
public record PlannedFile(String path, String beforeDigest, String before, String after, String reason, String plugin,
                          boolean executable, String charset) {

    public PlannedFile {
        if (charset == null) charset = FileOrigin.UTF_8;
    }

    public PlannedFile(String path, String beforeDigest, String before, String after, String reason, String plugin,
                       boolean executable) {
        this(path, beforeDigest, before, after, reason, plugin, executable, FileOrigin.UTF_8);
    }

    /** The bytes to write, or null to delete; refused when the new text cannot be written in the file's charset. */
    public byte[] afterBytes() throws IOException {
        if (after == null) return null;
        try {
            return LosslessText.encode(after, charset);
        } catch (CharacterCodingException e) {
            throw new IOException(path + ": the planned text holds a character that " + charset + " (this file's "
                    + "encoding) cannot hold; nothing was written. Save the file as UTF-8 and plan again", e);
        }
    }
}
