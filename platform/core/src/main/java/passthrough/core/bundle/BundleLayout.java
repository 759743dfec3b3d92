package passthrough.core.bundle;

import java.util.regex.Pattern;

/**
 * Where things are inside a profile bundle and how big they may be (docs/bundles.md). One place, shared by the
 * writer and the reader, so the writer never makes a bundle the reader refuses.
 */
public final class BundleLayout {
    public static final String PROFILES_DIR = "profiles/";
    public static final String PLUGINS_DIR = "plugins/";
    public static final String MANIFEST = "MANIFEST.sha256";
    public static final String SIGNATURE = "MANIFEST.sha256.sig";

    /** A single profile or plugin: profiles are a few KiB, plugin jars well under a MiB. */
    public static final long MAX_ENTRY_BYTES = 16L * 1024 * 1024;
    /** Everything inflated together; the reader holds it in memory, so this bounds what a hostile file can cost. */
    public static final long MAX_TOTAL_BYTES = 64L * 1024 * 1024;
    /** More entries than any real bundle has; a central directory of millions of entries is an attack, not a bundle. */
    public static final int MAX_ENTRIES = 1024;

    /** Profile ids and plugin file names: one plain name, no dots at the start, nothing a shell or path would read twice. */
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,127}");

    /** Where profile {@code id} is installed, relative to the host root. */
    public static final String INSTALLED_PROFILES_DIR = "etc/passthrough/profiles";
    /** Where plugin jars are installed, relative to the host root. */
    public static final String INSTALLED_PLUGINS_DIR = "var/lib/passthrough/plugins";
    /** Every {@code *.pub} here is a key whose signature is trusted, relative to the host root. */
    public static final String TRUSTED_KEYS_DIR = "etc/passthrough/trusted-keys";

    private BundleLayout() {
    }

    /** What an entry name is for. */
    public enum Kind { PROFILE, PLUGIN, MANIFEST, SIGNATURE, TOP_DIRECTORY, UNEXPECTED }

    /** The kind of a name that already passed {@link #unsafeNameReason}. */
    public static Kind kindOf(String name) {
        if (name.equals(MANIFEST)) return Kind.MANIFEST;
        if (name.equals(SIGNATURE)) return Kind.SIGNATURE;
        if (name.equals(PROFILES_DIR) || name.equals(PLUGINS_DIR)) return Kind.TOP_DIRECTORY;
        if (name.startsWith(PROFILES_DIR) && isPlainFile(name.substring(PROFILES_DIR.length()), ".json")) return Kind.PROFILE;
        if (name.startsWith(PLUGINS_DIR) && isPlainFile(name.substring(PLUGINS_DIR.length()), ".jar")) return Kind.PLUGIN;
        return Kind.UNEXPECTED;
    }

    /**
     * Why a name must never be used as a path (absolute, {@code ..}, a backslash, a control character), or null when
     * it is harmless. Checked before anything else, so a hostile name is refused for what it is.
     */
    public static String unsafeNameReason(String name) {
        if (name.isEmpty()) return "the entry has an empty name";
        if (name.startsWith("/")) return "the entry name is an absolute path";
        if (name.contains("\\")) return "the entry name contains a backslash";
        if (name.contains("..")) return "the entry name contains '..', which could climb out of its directory";
        for (int i = 0; i < name.length(); i++) {
            if (Character.isISOControl(name.charAt(i))) return "the entry name contains a control character";
        }
        if (name.contains("//") || name.startsWith("./") || name.contains("/./")) return "the entry name is not in its plain form";
        return null;
    }

    /** The profile id of a {@link Kind#PROFILE} entry: {@code profiles/ID.json}. */
    public static String profileId(String name) {
        String file = name.substring(PROFILES_DIR.length());
        return file.substring(0, file.length() - ".json".length());
    }

    /** The jar file name of a {@link Kind#PLUGIN} entry: {@code plugins/NAME.jar}. */
    public static String pluginFile(String name) {
        return name.substring(PLUGINS_DIR.length());
    }

    /** Whether {@code file} is a plain name ending in {@code suffix} with something before it. */
    public static boolean isPlainFile(String file, String suffix) {
        return file.endsWith(suffix) && file.length() > suffix.length() && PLAIN_NAME.matcher(file).matches();
    }

    /** "profiles/*.json", "plugins/*.jar", MANIFEST.sha256 and MANIFEST.sha256.sig, for messages. */
    static String expectedEntries() {
        return "a bundle holds only profiles/<id>.json, plugins/<name>.jar, " + MANIFEST + " and " + SIGNATURE;
    }
}
