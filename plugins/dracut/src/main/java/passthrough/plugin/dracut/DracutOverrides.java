package passthrough.plugin.dracut;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import passthrough.api.Finding;
import passthrough.api.KernelModules;

/**
 * Other dracut configuration that would undo ours: dracut sources /etc/dracut.conf, then the *.conf files of
 * /usr/lib/dracut/dracut.conf.d and /etc/dracut.conf.d merged by name (a name in /etc hides the same name in /usr/lib),
 * in alphanumerical order. A file after ours that assigns a list with a plain {@code =} throws our words away, and an
 * {@code omit_drivers} naming one of our modules anywhere keeps it out of the image. Warnings only: those files are
 * the user's, never edited here.
 */
final class DracutOverrides {
    private static final Pattern PLAIN_ASSIGNMENT =
            Pattern.compile("^[ \\t]*(" + DracutLoader.DRIVERS + "|" + DracutLoader.ITEMS + ")=", Pattern.MULTILINE);
    private static final Pattern OMIT = Pattern.compile("^[ \\t]*omit_drivers\\+?=[\"']?([^\"'\\n]*)", Pattern.MULTILINE);

    private DracutOverrides() {
    }

    static List<Finding> find(Map<String, String> files, String ours, List<String> modules) {
        String ourName = name(ours);
        Map<String, String> byName = new TreeMap<>();
        files.keySet().stream().filter(p -> p.startsWith("usr/lib/dracut/dracut.conf.d/") && p.endsWith(".conf"))
                .forEach(p -> byName.put(name(p), p));
        files.keySet().stream().filter(p -> p.startsWith("etc/dracut.conf.d/") && p.endsWith(".conf"))
                .forEach(p -> byName.put(name(p), p));
        List<Finding> out = new ArrayList<>();
        List<String> read = new ArrayList<>();
        if (files.containsKey("etc/dracut.conf")) read.add("etc/dracut.conf");
        read.addAll(byName.values());
        List<String> ourModules = modules.stream().map(KernelModules::normalize).toList();
        for (String path : read) {
            if (path.equals(ours)) continue;
            String text = files.get(path);
            if (path.startsWith("etc/dracut.conf.d/") || path.startsWith("usr/lib/")) {
                if (name(path).compareTo(ourName) > 0) {
                    Matcher m = PLAIN_ASSIGNMENT.matcher(text);
                    while (m.find()) {
                        out.add(Finding.warning("DRACUT_LIST_REPLACED", path + " line " + lineOf(text, m.start()) + ": "
                                + m.group(1) + "= is read after " + ours + " and replaces the list it adds to",
                                "change it to " + m.group(1) + "+=\" ... \""));
                    }
                }
            }
            Matcher o = OMIT.matcher(text);
            while (o.find()) {
                for (String word : o.group(1).trim().split("\\s+")) {
                    if (ourModules.contains(KernelModules.normalize(word))) {
                        out.add(Finding.warning("DRACUT_OMITS_MODULE", path + " line " + lineOf(text, o.start())
                                + ": omit_drivers names " + word + ", which must load early", "take " + word
                                + " out of omit_drivers"));
                    }
                }
            }
        }
        return out;
    }

    private static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static int lineOf(String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) if (text.charAt(i) == '\n') line++;
        return line;
    }
}
