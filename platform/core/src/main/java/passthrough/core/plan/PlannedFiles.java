package passthrough.core.plan;

import java.util.Optional;
import passthrough.api.FileChange;
import passthrough.api.FileOrigin;
import passthrough.api.HostFacts;
import passthrough.core.apply.FileDigest;
import passthrough.core.host.HostRoot;
import passthrough.core.host.LosslessText;
import passthrough.core.host.UnreadableFileException;

/**
 * A plugin's {@link FileChange} as a {@link PlannedFile}: the digest and character set of the bytes the plugin saw,
 * so apply refuses a file changed since. Shared by the reservation planner and the VM planner.
 */
public final class PlannedFiles {
    private PlannedFiles() {
    }

    /**
     * @return the planned file, or null when the change leaves the file as it is
     * @throws PlanRefusedException the file cannot be read, or the new text cannot be written in its encoding
     */
    public static PlannedFile of(HostRoot root, HostFacts facts, String plugin, FileChange f) throws PlanRefusedException {
        // the bytes the plugins saw: their digest and their character set, read once by the facts reader;
        // a file outside the facts' list is read here, once, the same lossless way
        String beforeText;
        String digest;
        String charset;
        Optional<FileOrigin> origin = facts.fileOrigin(f.path());
        if (origin.isPresent() && facts.file(f.path()).isPresent()) {
            beforeText = facts.file(f.path()).get();
            digest = origin.get().sha256();
            charset = origin.get().charset();
        } else {
            byte[] before = readBytes(root, plugin, f.path());
            LosslessText.Decoded decoded = before == null ? null : LosslessText.decode(before);
            beforeText = decoded == null ? null : decoded.text();
            digest = before == null ? "absent" : FileDigest.of(before);
            charset = decoded == null ? FileOrigin.UTF_8 : decoded.charset();
        }
        if (java.util.Objects.equals(beforeText, f.newContent())) return null;
        if (f.newContent() != null && !encodable(f.newContent(), charset)) {
            throw new PlanRefusedException("NOT_ENCODABLE", plugin + " wants to write " + f.path() + " with a "
                    + "character its encoding (" + charset + ", the file is not valid UTF-8) cannot hold; "
                    + "convert the file to UTF-8 (iconv -f latin1 -t utf-8) and plan again", null);
        }
        return new PlannedFile(f.path(), digest, beforeText, f.newContent(), f.reason(), plugin, f.executable(), charset);
    }

    private static byte[] readBytes(HostRoot root, String plugin, String path) throws PlanRefusedException {
        try {
            return root.readBytes(path).orElse(null);
        } catch (UnreadableFileException e) {
            throw new PlanRefusedException("UNREADABLE_FILE", plugin + " wants to change " + path + ", which cannot be "
                    + "read (" + e.getMessage() + "); fix its permissions or run as root, then plan again", null);
        }
    }

    private static boolean encodable(String text, String charset) {
        try {
            LosslessText.encode(text, charset);
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }
}
