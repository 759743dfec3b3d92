package passthrough.core.host;

import java.util.List;

/**
 * A disk behind a USB mass-storage interface ({@code .../2-1:1.0/host6/target6:0:0/6:0:0:0/block/sda}).
 *
 * @param name           its block device name, {@code sda}
 * @param partitions     its partitions, {@code sda1}, {@code sda2}
 * @param rootFilesystem whether it (or one of its partitions, or a device-mapper/md device built on it) holds the
 *                       root filesystem mounted on /
 */
public record UsbDisk(String name, List<String> partitions, boolean rootFilesystem) {
    public UsbDisk {
        partitions = List.copyOf(partitions);
    }
}
