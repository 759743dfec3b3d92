package passthrough.core.plugins;

/**
 * An extension and where it came from.
 *
 * @param source "builtin" for ServiceLoader built-ins, otherwise the pf4j plugin id
 */
public record LoadedExtension<T>(T extension, String source) {

    public boolean isBuiltin() {
        return PluginRegistry.BUILTIN.equals(source);
    }
}
