package passthrough.core.plugins.audit;

/**
 * One call or mention in a plugin's byte code that a plugin may not make.
 *
 * @param className  the plugin class it is in
 * @param methodName the method, constructor ({@code <init>}) or static initializer ({@code <clinit>}); "" when the
 *                   class itself mentions it (a supertype, a field's type)
 * @param line       the source line from the class file's line table; 0 when the class file has none
 * @param target     what is called or mentioned, e.g. {@code java.lang.ProcessBuilder.start()}
 * @param reason     why it is refused, e.g. "starts a process"
 */
public record AuditViolation(String className, String methodName, int line, String target, String reason) {

    /** {@code vendor.Evil.install:12 → java.nio.file.Files.writeString(...) (writes files)} */
    @Override
    public String toString() {
        return className + (methodName.isEmpty() ? "" : "." + methodName) + ":" + line + " → " + target + " (" + reason + ")";
    }
}
