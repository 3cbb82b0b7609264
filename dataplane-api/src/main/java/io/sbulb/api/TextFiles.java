package io.sbulb.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a small configuration text file, never more than a bound: a huge file given by mistake
 * is refused, not read into memory, and anything but a regular file (a FIFO, whose opening
 * would block; a device such as {@code /dev/zero}) is refused before it is opened.
 */
public final class TextFiles {

    private TextFiles() {
    }

    /** Why a file could not be read, in words for a user (no exception class names). */
    public static final class Unreadable extends IOException {
        private static final long serialVersionUID = 1L;

        Unreadable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The file's text (UTF-8, a leading byte-order mark dropped).
     *
     * @throws Unreadable saying why: missing, a directory, longer than {@code maxBytes}, not UTF-8
     */
    public static String read(Path file, long maxBytes) throws Unreadable {
        return decode(readBytes(file, maxBytes));
    }

    /**
     * The file's bytes, for a caller that compares contents before decoding them.
     *
     * @throws Unreadable saying why: missing (its cause a {@link NoSuchFileException}), a directory,
     *     not a regular file, longer than {@code maxBytes}
     */
    public static byte[] readBytes(Path file, long maxBytes) throws Unreadable {
        if (Files.isDirectory(file)) {
            throw new Unreadable("it is a directory", null);
        }
        // Checked before opening: opening a FIFO blocks until a writer comes, which once hung the
        // daemon's loop (and with it its answer to SIGTERM).
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new Unreadable("it is not a regular file (a FIFO, a device or a socket?)", null);
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        } catch (NoSuchFileException e) {
            throw new Unreadable("no such file", e);
        } catch (IOException e) {
            throw new Unreadable(e.getMessage() == null ? e.toString() : e.getMessage(), e);
        }
        if (bytes.length > maxBytes) {
            throw new Unreadable("it is longer than " + maxBytes + " bytes, the most allowed", null);
        }
        return bytes;
    }

    /**
     * Bytes of a file as text (UTF-8, a leading byte-order mark dropped).
     *
     * @throws Unreadable when they are not UTF-8
     */
    public static String decode(byte[] bytes) throws Unreadable {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new Unreadable("it is not UTF-8 text", e);
        }
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }
}
