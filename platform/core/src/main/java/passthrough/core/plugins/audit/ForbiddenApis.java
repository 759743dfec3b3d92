package passthrough.core.plugins.audit;

import com.tngtech.archunit.core.domain.AccessTarget;
import com.tngtech.archunit.core.domain.JavaClass;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a third-party plugin may not do, as questions about byte code: plugins describe changes, the platform's
 * executor makes them (docs/architecture.md). The same spirit as the first-party rules in integration-tests'
 * ArchitectureRulesTest, widened for code nobody here reviewed: no network, no reflection into private members, no
 * class loading, no leaving the JVM or loading native code.
 *
 * <p>Names are compared as strings, and supertypes through ArchUnit's resolved hierarchy, so
 * {@code class Sneaky extends FileOutputStream} is caught as well as {@code new FileOutputStream(...)}.
 */
public final class ForbiddenApis {
    private ForbiddenApis() {
    }

    /** Types a plugin may not call, extend or mention at all (their nested types too), and why. */
    private static final Map<String, String> FORBIDDEN_TYPES = Map.ofEntries(
            Map.entry("java.io.FileOutputStream", "writes files"),
            Map.entry("java.io.FileWriter", "writes files"),
            Map.entry("java.io.RandomAccessFile", "writes files"),
            Map.entry("java.lang.ProcessBuilder", "starts processes"),
            Map.entry("java.lang.Process", "controls processes"),
            Map.entry("java.lang.ProcessHandle", "controls processes"),
            Map.entry("java.lang.ClassLoader", "loads classes"),
            Map.entry("java.net.Socket", "opens network connections"),
            Map.entry("java.net.ServerSocket", "opens network connections"),
            Map.entry("java.net.DatagramSocket", "opens network connections"),
            Map.entry("java.net.URLConnection", "opens network connections"),
            Map.entry("java.nio.channels.SocketChannel", "opens network connections"),
            Map.entry("java.nio.channels.ServerSocketChannel", "opens network connections"),
            Map.entry("java.nio.channels.DatagramChannel", "opens network connections"),
            Map.entry("java.nio.channels.AsynchronousSocketChannel", "opens network connections"),
            Map.entry("java.nio.channels.AsynchronousServerSocketChannel", "opens network connections"));

    /** Whole package trees a plugin may not touch. */
    private static final Map<String, String> FORBIDDEN_PACKAGES = Map.of(
            "java.net.http", "opens network connections",
            "sun.misc", "reaches into the JVM's internals",
            "jdk.internal", "reaches into the JVM's internals");

    private static final Set<String> FILES_WRITERS = Set.of("write", "writeString", "newOutputStream",
            "newBufferedWriter", "move", "copy", "delete", "deleteIfExists", "createFile", "createDirectory",
            "createDirectories", "createTempFile", "createTempDirectory", "createLink", "createSymbolicLink",
            "setAttribute", "setPosixFilePermissions", "setOwner", "setLastModifiedTime",
            // every overload takes OpenOptions, so it may open for WRITE; a plugin reads with newInputStream/readString
            "newByteChannel");

    private static final Set<String> FILE_MUTATORS = Set.of("delete", "deleteOnExit", "mkdir", "mkdirs", "renameTo",
            "createNewFile", "createTempFile", "setWritable", "setReadable", "setExecutable", "setReadOnly",
            "setLastModified");

    /** Why a call, field access or method reference to {@code target} is refused, or null when it is allowed. */
    public static String whyAccessIsForbidden(AccessTarget target) {
        JavaClass owner = target.getOwner();
        String type = owner.getName();
        String name = target.getName();
        String typeReason = whyTypeIsForbidden(owner);
        if (typeReason != null) return typeReason;
        if (is(owner, "java.nio.file.Files") && FILES_WRITERS.contains(name)) return "writes files";
        if (is(owner, "java.io.File") && FILE_MUTATORS.contains(name)) return "changes the file system";
        if ((is(owner, "java.nio.channels.FileChannel") || is(owner, "java.nio.channels.AsynchronousFileChannel"))
                && name.equals("open")) {
            return "opens a file for writing";
        }
        if ((is(owner, "java.io.PrintWriter") || is(owner, "java.io.PrintStream")) && name.equals("<init>")
                && firstParameterIs(target, "java.io.File", "java.lang.String")) {
            return "opens a file for writing";
        }
        if (is(owner, "java.lang.Runtime") && name.equals("exec")) return "starts processes";
        if ((type.equals("java.lang.System") || is(owner, "java.lang.Runtime"))
                && List.of("exit", "halt").contains(name)) {
            return "ends the JVM";
        }
        if ((type.equals("java.lang.System") || is(owner, "java.lang.Runtime"))
                && List.of("load", "loadLibrary").contains(name)) {
            return "loads native code";
        }
        if (is(owner, "java.net.URL") && List.of("openConnection", "openStream", "getContent").contains(name)) {
            return "opens network connections";
        }
        if (is(owner, "java.lang.reflect.AccessibleObject") && List.of("setAccessible", "trySetAccessible").contains(name)) {
            return "reflects into private members";
        }
        if (type.equals("java.lang.invoke.MethodHandles") && name.equals("privateLookupIn")) {
            return "reflects into private members";
        }
        if (type.equals("java.lang.invoke.MethodHandles$Lookup") && List.of("defineClass", "defineHiddenClass",
                "defineHiddenClassWithClassData").contains(name)) {
            return "loads classes";
        }
        if (type.equals("java.lang.Class") && name.equals("forName")) return "loads classes";
        return null;
    }

    /** Why mentioning {@code type} at all (extending it, a field of it, a call on it) is refused, or null. */
    public static String whyTypeIsForbidden(JavaClass type) {
        String name = type.getName();
        for (Map.Entry<String, String> e : FORBIDDEN_PACKAGES.entrySet()) {
            if (inTree(type.getPackageName(), e.getKey())) return e.getValue();
        }
        for (Map.Entry<String, String> e : FORBIDDEN_TYPES.entrySet()) {
            if (name.equals(e.getKey()) || name.startsWith(e.getKey() + "$") || is(type, e.getKey())) return e.getValue();
        }
        return null;
    }

    static boolean inTree(String pkg, String root) {
        return pkg.equals(root) || pkg.startsWith(root + ".");
    }

    /** The type or one of its supertypes (as far as ArchUnit could resolve them) is {@code name}. */
    private static boolean is(JavaClass type, String name) {
        if (type.getName().equals(name)) return true;
        try {
            return type.isAssignableTo(name);
        } catch (RuntimeException e) {
            return false; // an unresolvable hierarchy: the name check above is all there is
        }
    }

    private static boolean firstParameterIs(AccessTarget target, String... names) {
        if (!(target instanceof AccessTarget.CodeUnitAccessTarget unit) || unit.getRawParameterTypes().isEmpty()) return false;
        String first = unit.getRawParameterTypes().get(0).getName();
        return List.of(names).contains(first);
    }
}
