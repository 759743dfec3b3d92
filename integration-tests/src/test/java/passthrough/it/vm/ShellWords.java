package passthrough.it.vm;

import java.util.ArrayList;
import java.util.List;

/**
 * The words of a POSIX shell command line, as far as QEMU command lines need: single quotes, double quotes (with
 * backslash before " \ $ ` and newline), backslash escapes and backslash-newline continuations, '#' comments at the
 * start of a word. No expansion: {@code $VARS} stay as written.
 */
final class ShellWords {

    private ShellWords() {
    }

    static List<String> split(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                char n = line.charAt(++i);
                if (n != '\n') {
                    cur.append(n);
                    inWord = true;
                }
            } else if (c == '\'') {
                int end = line.indexOf('\'', i + 1);
                if (end < 0) throw new IllegalArgumentException("unterminated ' in: " + line);
                cur.append(line, i + 1, end);
                i = end;
                inWord = true;
            } else if (c == '"') {
                inWord = true;
                for (i++; i < line.length() && line.charAt(i) != '"'; i++) {
                    char d = line.charAt(i);
                    if (d == '\\' && i + 1 < line.length() && "\"\\$`\n".indexOf(line.charAt(i + 1)) >= 0) {
                        if (line.charAt(++i) != '\n') cur.append(line.charAt(i));
                    } else {
                        cur.append(d);
                    }
                }
                if (i >= line.length()) throw new IllegalArgumentException("unterminated \" in: " + line);
            } else if (c == '#' && !inWord) {
                while (i < line.length() && line.charAt(i) != '\n') i++;
            } else if (Character.isWhitespace(c)) {
                if (inWord) words.add(cur.toString());
                cur.setLength(0);
                inWord = false;
            } else {
                cur.append(c);
                inWord = true;
            }
        }
        if (inWord) words.add(cur.toString());
        return words;
    }
}
