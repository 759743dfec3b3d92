package passthrough.plugin.mkinitcpio;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Lossless edits of one mkinitcpio configuration file's arrays: a word goes in or out with the blanks around it, new
 * lines go at the end; everything else stays byte for byte.
 */
final class ConfigEdit {
    private final String text;
    private final TextEdits edits;
    private boolean endTerminated;
    private final List<BashArrays.Word> removed = new ArrayList<>();

    ConfigEdit(String text) {
        this.text = text;
        this.edits = new TextEdits(text);
        this.endTerminated = text.isEmpty() || text.endsWith("\n");
    }

    /** {@code words} right before {@code word}, each followed by a space. */
    void insertBefore(BashArrays.Word word, List<String> words) {
        edits.insert(word.start(), String.join(" ", words) + " ");
    }

    /** {@code words} after the last word of {@code array}, or as its first words. */
    void append(BashArrays.Assignment array, List<String> words) {
        if (words.isEmpty()) return;
        if (array.words().isEmpty()) {
            edits.insert(array.open(), String.join(" ", words));
        } else {
            edits.insert(array.words().get(array.words().size() - 1).end(), " " + String.join(" ", words));
        }
    }

    /** The whole content between the parentheses, when it differs. */
    void replaceAll(BashArrays.Assignment array, List<String> words) {
        if (array.values().equals(words)) return;
        edits.replace(array.open(), array.close(), String.join(" ", words));
    }

    /**
     * Takes a word out (when the result is made): with the blanks after it when another word follows on its line, else
     * with the blanks before it ({@code (a b)} → {@code (a)}, {@code (a b c)} → {@code (a c)}); neighbouring words taken
     * out together go as one run; a word alone on its line leaves that line blank.
     */
    void remove(BashArrays.Word word) {
        removed.add(word);
    }

    private void applyRemovals() {
        List<BashArrays.Word> words = new ArrayList<>(removed);
        words.sort(Comparator.comparingInt(BashArrays.Word::start));
        int i = 0;
        while (i < words.size()) {
            int j = i;
            while (j + 1 < words.size() && blanksOnly(words.get(j).end(), words.get(j + 1).start())) j++;
            removeRun(words.get(i).start(), words.get(j).end());
            i = j + 1;
        }
        removed.clear();
    }

    private boolean blanksOnly(int from, int to) {
        for (int k = from; k < to; k++) if (text.charAt(k) != ' ' && text.charAt(k) != '\t') return false;
        return true;
    }

    private void removeRun(int runStart, int runEnd) {
        int end = runEnd;
        while (end < text.length() && (text.charAt(end) == ' ' || text.charAt(end) == '\t')) end++;
        boolean wordFollows = end > runEnd && end < text.length() && text.charAt(end) != ')' && text.charAt(end) != '\n'
                && text.charAt(end) != '#';
        if (wordFollows) {
            edits.replace(runStart, end, "");
            return;
        }
        int start = runStart;
        while (start > 0 && (text.charAt(start - 1) == ' ' || text.charAt(start - 1) == '\t')) start--;
        edits.replace(start, runEnd, "");
    }

    /** A new line at the end of the file (after a newline the file's last line lacked). */
    void appendLine(String line) {
        String prefix = endTerminated ? "" : "\n";
        endTerminated = true;
        edits.insert(text.length(), prefix + line + "\n");
    }

    void replaceLine(int start, int end, String line) {
        edits.replace(start, end, line);
    }

    void insertAt(int offset, String inserted) {
        edits.insert(offset, inserted);
    }

    String result() {
        applyRemovals();
        return edits.isEmpty() ? text : edits.apply();
    }
}
