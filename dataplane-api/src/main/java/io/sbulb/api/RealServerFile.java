package io.sbulb.api;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The real-server configuration file of {@code -cfg}, in the original sbulb's INI format (it read
 * the file with Python's {@code configparser}, {@code allow_no_value=True}, {@code delimiters="="}):
 *
 * <pre>
 * [Real Servers]
 * 10.0.0.4
 * 10.0.0.2
 * 10.0.0.6
 * </pre>
 *
 * <ul>
 *   <li>The real servers are the entries of the {@code [Real Servers]} section, one IPv4 or IPv6
 *       address per line, in round-robin order. Spaces around an entry are ignored.</li>
 *   <li>Blank lines and comment lines (first non-blank character {@code #} or {@code ;}) are
 *       ignored anywhere. A comment after an address is not one (as in the original): the line
 *       is then not an address.</li>
 *   <li>Other sections are ignored, as the original ignored them.</li>
 *   <li>A leading byte-order mark and Windows line ends are ignored.</li>
 * </ul>
 *
 * <p>Refused, as the original refused them: no {@code [Real Servers]} section, a line before any
 * section header, an entry with a value ({@code 198.18.1.1 = x}), the same address twice, the
 * section twice, and an empty list. Also refused, though the original would not notice: a bad
 * address, and a section header that is an address ({@code [fd00::1]}: an IPv6 address is
 * written without brackets).
 */
public final class RealServerFile {

    /** Longer files are refused: a real-server list is a few lines, not megabytes. */
    public static final long MAX_BYTES = 4L << 20;

    /** The section holding the list (case-sensitive, as configparser's section names are). */
    public static final String SECTION = "Real Servers";

    private RealServerFile() {
    }

    /**
     * Reads the list.
     *
     * @throws ConfigException naming the file and, for a bad line, its number and its text
     */
    public static List<IpAddress> read(Path file) {
        String text;
        try {
            text = TextFiles.read(file, MAX_BYTES);
        } catch (TextFiles.Unreadable e) {
            throw new ConfigException("cannot read real-server file " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /** Parses the text of a file named {@code source} (for messages); a leading byte-order mark is ignored. */
    public static List<IpAddress> parse(String text, String source) {
        return parse((text.startsWith("\uFEFF") ? text.substring(1) : text).lines().toList(), source);
    }

    /** Parses the lines (without their line ends) of a file named {@code source} (for messages). */
    public static List<IpAddress> parse(List<String> lines, String source) {
        List<IpAddress> servers = new ArrayList<>();
        Map<IpAddress, Integer> lineOf = new HashMap<>();
        int sectionLine = 0; // line of the [Real Servers] header, 0 before it
        List<String> otherSections = new ArrayList<>();
        boolean inSection = false;
        boolean inAnySection = false;
        for (int i = 0; i < lines.size(); i++) {
            int number = i + 1;
            String line = lines.get(i);
            String text = line.strip();
            if (text.isEmpty() || text.startsWith("#") || text.startsWith(";")) {
                continue;
            }
            if (text.startsWith("[") && text.endsWith("]") && text.length() > 2) {
                String name = text.substring(1, text.length() - 1);
                if (isAddress(name)) {
                    throw lineError(source, number, line, "is a section header, not an address: write the address "
                            + "without brackets");
                }
                inAnySection = true;
                inSection = name.equals(SECTION);
                if (!inSection) {
                    otherSections.add(text);
                } else if (sectionLine != 0) {
                    throw new ConfigException(source + " line " + number + ": section [" + SECTION
                            + "] appears twice (lines " + sectionLine + " and " + number + ")");
                } else {
                    sectionLine = number;
                }
                continue;
            }
            if (!inAnySection) {
                throw lineError(source, number, line, "comes before any section header: the addresses go under a line ["
                        + SECTION + "]");
            }
            if (!inSection) {
                continue;
            }
            if (text.contains("=")) {
                throw lineError(source, number, line, "has a value: a real server is an address alone, without '='");
            }
            IpAddress address;
            try {
                address = IpAddress.parse(text);
            } catch (IllegalArgumentException e) {
                String hint = text.contains("#") || text.contains(";") ? " (a comment needs a line of its own)" : "";
                throw new ConfigException(source + " line " + number + ": " + e.getMessage() + hint, e);
            }
            Integer before = lineOf.putIfAbsent(address, number);
            if (before != null) {
                throw new ConfigException(source + " line " + number + ": real server " + address
                        + " is listed twice (lines " + before + " and " + number + ")");
            }
            servers.add(address);
        }
        if (sectionLine == 0) {
            throw new ConfigException(source + ": no [" + SECTION + "] section"
                    + (otherSections.isEmpty() ? "" : " (found only " + String.join(", ", otherSections) + ")")
                    + "; the file must hold a line [" + SECTION + "] followed by one real server address per line");
        }
        if (servers.isEmpty()) {
            throw new ConfigException(source + " line " + sectionLine + ": no real server in [" + SECTION
                    + "]; give at least one address");
        }
        return servers;
    }

    private static boolean isAddress(String text) {
        try {
            IpAddress.parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static ConfigException lineError(String source, int number, String line, String why) {
        return new ConfigException(source + " line " + number + ": '" + line.strip() + "' " + why);
    }
}
