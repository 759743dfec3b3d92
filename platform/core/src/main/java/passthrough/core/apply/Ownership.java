package passthrough.core.apply;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * A file's permission bits and owner, kept so a rewritten or restored file looks exactly like the original to
 * everything that checks them (grub-mkconfig's executable scripts, a 0600 secrets file).
 *
 * @param mode the permission bits including setuid/setgid/sticky (07777)
 */
record Ownership(int mode, int uid, int gid) {
    /** What a new configuration file gets: readable by all, owned by root, as a package would install it. */
    static final Ownership NEW_FILE = new Ownership(0644, 0, 0);
    /** What a created directory gets. */
    static final Ownership NEW_DIRECTORY = new Ownership(0755, 0, 0);

    static Ownership of(Path file) throws IOException {
        int mode = (Integer) Files.getAttribute(file, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        int uid = (Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int gid = (Integer) Files.getAttribute(file, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        return new Ownership(mode & 07777, uid, gid);
    }

    /** Owner first: chown clears setuid/setgid bits, so the mode must be set after it. */
    void applyTo(Path file) throws IOException {
        Files.setAttribute(file, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(file, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(file, "unix:mode", mode, LinkOption.NOFOLLOW_LINKS);
    }

    /** The same with execute permission wherever there is read permission (0644 becomes 0755, 0600 becomes 0700). */
    Ownership executable() {
        return new Ownership(mode | ((mode & 0444) >> 2), uid, gid);
    }

    /** As the journal writes it: octal, like ls and chmod show it. */
    String octalMode() {
        return String.format("%04o", mode);
    }

    static int parseOctal(String mode) {
        return Integer.parseInt(mode, 8);
    }
}
