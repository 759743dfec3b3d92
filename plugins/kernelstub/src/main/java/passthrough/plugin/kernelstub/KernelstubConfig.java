package passthrough.plugin.kernelstub;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The kernel options kernelstub writes into the ESP's loader entry, read from its configuration as kernelstub's
 * Config.load_config does (pop-os/kernelstub, kernelstub/config.py): {@code /etc/kernelstub/configuration}, else
 * {@code /etc/default/kernelstub}; JSON with a {@code "default"} and a {@code "user"} object, the user's taken (a
 * copy of the default's when there is none); {@code kernel_options} is a list of words (config_rev 3), or in older
 * files one string that kernelstub splits on whitespace and rejoins where a word holds a double quote. kernelstub
 * boots with {@code root=UUID=<root file system> ro} in front of them (application.py: kopts).
 *
 * @param path    the file read, relative to the root
 * @param options the words, in order
 */
record KernelstubConfig(String path, List<String> options) {
    static final String PATH = "etc/kernelstub/configuration";
    static final String FALLBACK = "etc/default/kernelstub";

    /** A configuration kernelstub itself could not use; the message names the file and the line. */
    static final class UnreadableException extends Exception {
        UnreadableException(String message) {
            super(message);
        }
    }

    /** The file kernelstub reads on this host, or null when neither exists. */
    static String fileOf(Map<String, String> files) {
        if (files.containsKey(PATH)) return PATH;
        return files.containsKey(FALLBACK) ? FALLBACK : null;
    }

    static KernelstubConfig read(String path, String text) throws UnreadableException {
        Object root;
        try {
            root = Json.parse(text);
        } catch (Json.JsonException e) {
            throw new UnreadableException(path + " line " + e.line + ": not valid JSON (" + e.getMessage() + "), which "
                    + "kernelstub's json.load refuses too");
        }
        if (!(root instanceof Map<?, ?> top)) throw new UnreadableException(path + " line 1: not a JSON object");
        Object section = top.containsKey("user") ? top.get("user") : top.get("default");
        String name = top.containsKey("user") ? "user" : "default";
        if (!(section instanceof Map<?, ?> s)) {
            throw new UnreadableException(path + ": no \"user\" or \"default\" object, so kernelstub has no options to use");
        }
        Object rev = s.get("config_rev");
        if (rev instanceof Long r && r > 3) {
            throw new UnreadableException(path + ": \"" + name + "\".config_rev is " + r + ", newer than kernelstub's 3 "
                    + "(it refuses such a file: \"Configuration cannot be understood\")");
        }
        Object opts = s.get("kernel_options");
        List<String> words = new ArrayList<>();
        if (opts instanceof String str) {
            words.addAll(rejoinQuoted(List.of(str.strip().isEmpty() ? new String[0] : str.strip().split("\\s+"))));
        } else if (opts instanceof List<?> list) {
            for (Object o : list) {
                if (!(o instanceof String w)) {
                    throw new UnreadableException(path + ": \"" + name + "\".kernel_options holds " + o + ", not a string");
                }
                if (!w.isEmpty()) words.add(w);
            }
        } else {
            throw new UnreadableException(path + ": \"" + name + "\".kernel_options is " + (opts == null ? "missing"
                    : "neither a list nor a string") + " (kernelstub stops: \"Malformed configuration\")");
        }
        return new KernelstubConfig(path, List.copyOf(words));
    }

    /** kernelstub's parse_options: a word with a double quote takes the following words up to the next one with a quote. */
    static List<String> rejoinQuoted(List<String> words) {
        List<String> in = new ArrayList<>(words);
        for (int i = 0; i < in.size(); i++) {
            String w = in.get(i);
            if (!w.contains("\"")) continue;
            for (int k = i + 1; k < in.size(); k++) {
                String next = in.get(k);
                w = w + " " + next;
                in.set(k, "");
                if (next.contains("\"")) break;
            }
            in.set(i, w);
        }
        return in.stream().filter(x -> !x.isEmpty()).toList();
    }

    String line() {
        return String.join(" ", options);
    }
}
