package passthrough.api;

import java.util.Objects;

/**
 * A disk of the VM.
 *
 * @param path        absolute path on the host
 * @param format      "qcow2" or "raw"
 * @param createBytes the size to create it with when it does not exist yet, or null for an existing image
 */
public record VmDisk(String path, String format, Long createBytes) {

    public VmDisk {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(format, "format");
    }
}
