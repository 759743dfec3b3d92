package passthrough.plugin.mkinitcpio;

import java.util.List;
import java.util.Set;

/**
 * What the configuration must hold after the plan.
 *
 * @param modules       modules to load before any early-KMS driver, in load order
 * @param filesToAdd    absolute paths FILES must carry (the extra files the modprobe.d configuration runs)
 * @param filesToRemove absolute paths to take out of FILES: files the plan deletes (mkinitcpio fails on a missing one)
 */
record Wanted(List<String> modules, List<String> filesToAdd, Set<String> filesToRemove) {
}
