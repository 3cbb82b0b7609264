package io.sbulb.api;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The real-server configuration file of {@code -cfg} (the original sbulb's format): one IPv4 or
 * IPv6 address per line, in list order; blank lines and lines whose first non-blank character is
 * {@code #} are ignored, as is anything after a {@code #} on an address line. Spaces around an
 * address, Windows line ends and a leading byte-order mark are ignored.
 *
 * <pre>
 * # real servers of the CoAP fleet
 * 198.18.1.1
 * 198.18.1.2   # rack 2
 * </pre>
 */
public final class RealServerFile {

    /** Longer files are refused: a real-server list is a few lines, not megabytes. */
    public static final long MAX_BYTES = 4L << 20;

    private RealServerFile() {
    }

    /**
     * Reads the list.
     *
     * @throws ConfigException naming the file, and for a bad address the line number and the text
     */
    public static List<IpAddress> read(Path file) {
        try {
            return parse(TextFiles.read(file, MAX_BYTES).lines().toList(), file.toString());
        } catch (TextFiles.Unreadable e) {
            throw new ConfigException("cannot read real-server file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses the lines of a file named {@code source} (for messages). */
    public static List<IpAddress> parse(List<String> lines, String source) {
        List<IpAddress> servers = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int hash = line.indexOf('#');
            String text = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (text.isEmpty()) {
                continue;
            }
            try {
                servers.add(IpAddress.parse(text));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(source + " line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return servers;
    }

}
