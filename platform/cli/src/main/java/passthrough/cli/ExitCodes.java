package passthrough.cli;

/** What the exit status means; scripts rely on these. */
public final class ExitCodes {
    /** Done; for `check`: the host is ready. */
    public static final int OK = 0;
    /** The host is not ready / the IOMMU is off / verification failed: the command ran, the answer is "no". */
    public static final int NOT_READY = 1;
    /** Bad usage: unknown option, a --root that does not exist, a malformed address. */
    public static final int USAGE = 2;
    /** Refused for safety (later commands: a shared group, the boot GPU, ...). */
    public static final int REFUSED = 3;
    /** An input/output error while writing (e.g. the report archive). */
    public static final int IO_ERROR = 4;
    /** A bug: please report it with the -v output. */
    public static final int INTERNAL = 70;

    private ExitCodes() {
    }
}
