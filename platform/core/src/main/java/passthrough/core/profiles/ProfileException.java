package passthrough.core.profiles;

/** A profile file that cannot be used: the message names the file, the line and the field, and the way out. */
public final class ProfileException extends Exception {
    public ProfileException(String message) {
        super(message);
    }

    public ProfileException(String message, Throwable cause) {
        super(message, cause);
    }
}
