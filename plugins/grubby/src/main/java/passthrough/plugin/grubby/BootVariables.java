package passthrough.plugin.grubby;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The variables GRUB holds when its blscfg module expands an entry's {@code options}: the environment block
 * ({@code load_env} in 00_header reads /boot/grub2/grubenv), then what grub.cfg sets after it. Only tuned's two
 * variables are taken from grub.cfg, the ones a stock RHEL, Rocky or Alma entry names:
 * <ul>
 *   <li>tuned's kernel-install hook (92-tuned.install) appends {@code $tuned_params} to the options line, and
 *       {@code $tuned_initrd} to the initrd line, of every entry but the rescue one, whether or not the active tuned
 *       profile sets boot options;</li>
 *   <li>tuned's grub.d script 00_tuned writes {@code set tuned_params="..."} and {@code set tuned_initrd="..."} into
 *       grub.cfg after 00_header (so they override grubenv) from /etc/tuned/bootcmdline; with BLS, tuned's bootloader
 *       plugin also sets both in grubenv ({@code grub2-editenv - set}) and empties them when the profile goes;</li>
 *   <li>set nowhere, GRUB expands them to nothing (an unset variable is empty), which is the state of a host whose
 *       tuned profile never touched the boot options. Refusing there, as for an unset {@code $kernelopts}, would refuse
 *       most RHEL-family hosts.</li>
 * </ul>
 * (Read in redhat-performance/tuned: 00_tuned, 92-tuned.install and plugins/plugin_bootloader.py.)
 *
 * @param values  name to value, as GRUB has them at the entry's expansion
 * @param sources name to where its value came from, for the tuned variables
 */
record BootVariables(Map<String, String> values, Map<String, String> sources) {
    static final String GRUB_CFG = "boot/grub2/grub.cfg";
    static final List<String> TUNED = List.of("tuned_params", "tuned_initrd");
    /** A top-level {@code set NAME="VALUE"} line as 00_tuned writes it (a value with a quote, $ or \ is not taken). */
    private static final Pattern SET = Pattern.compile("(?m)^[ \\t]*set[ \\t]+(tuned_params|tuned_initrd)=\"([^\"$\\\\`]*)\"[ \\t]*$");

    BootVariables {
        values = Map.copyOf(values);
        sources = Map.copyOf(sources);
    }

    /** From the host's files (grubenv, grub.cfg; either may be absent or unreadable). */
    static BootVariables of(Map<String, String> files) {
        Map<String, String> values = new LinkedHashMap<>(GrubEnv.parse(files.get(BlsEntry.GRUBENV)));
        Map<String, String> sources = new LinkedHashMap<>();
        for (String name : TUNED) if (values.containsKey(name)) sources.put(name, "/" + BlsEntry.GRUBENV);
        String cfg = files.get(GRUB_CFG);
        if (cfg != null) {
            Matcher m = SET.matcher(cfg);
            while (m.find()) {
                // the last set wins, as GRUB runs them in order
                values.put(m.group(1), m.group(2));
                sources.put(m.group(1), "/" + GRUB_CFG + " (tuned's 00_tuned block, read after grubenv)");
            }
        }
        for (String name : TUNED) {
            if (!values.containsKey(name)) {
                values.put(name, "");
                sources.put(name, "set neither in /" + BlsEntry.GRUBENV + " nor in /" + GRUB_CFG + ", so GRUB expands it to nothing");
            }
        }
        return new BootVariables(values, sources);
    }

    /** The same variables with tuned's emptied: what an entry boots with apart from what tuned adds. */
    BootVariables withoutTuned() {
        Map<String, String> v = new LinkedHashMap<>(values);
        for (String name : TUNED) v.put(name, "");
        return new BootVariables(v, sources);
    }
}
