package passthrough.core.apply;

import java.util.List;

/**
 * Where a plan's path really is inside the root, after following links the way the kernel would.
 *
 * @param requested          the path as the plan wrote it
 * @param realPath           relative to the root, free of links, so writing there cannot leave the root
 * @param exists             whether a regular file is there now
 * @param missingDirectories directories to create (outermost first) before the file can be written
 */
record ResolvedTarget(String requested, String realPath, boolean exists, List<String> missingDirectories) {

    ResolvedTarget {
        missingDirectories = List.copyOf(missingDirectories);
    }
}
