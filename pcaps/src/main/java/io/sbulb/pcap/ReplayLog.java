package io.sbulb.pcap;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sbulb.api.Reason;
import io.sbulb.api.Verdict;
import java.io.IOException;
import java.io.Writer;

/**
 * The replay's per-frame log: JSON Lines, one object per input frame, in input order:
 * {@code {"index":0,"verdict":"TX","reason":"INGRESS_NEW_NAT","length":60}}. {@code index} is the
 * frame's position in the capture from 0 (its record number − 1), {@code length} the number of bytes
 * run through the dataplane (the captured length).
 */
final class ReplayLog implements AutoCloseable {

    /** One line of the log; fields are written in this order. */
    record Entry(long index, Verdict verdict, Reason reason, int length) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Writer out;
    private final String name;
    private final boolean closeStream;

    /**
     * Writes to {@code out}, called {@code name} in errors; closes it at the end only if
     * {@code closeStream} (not for standard output).
     */
    ReplayLog(Writer out, String name, boolean closeStream) {
        this.out = out;
        this.name = name;
        this.closeStream = closeStream;
    }

    void write(Entry entry) {
        try {
            out.write(JSON.writeValueAsString(entry));
            out.write('\n');
        } catch (IOException e) {
            throw failed(e);
        }
    }

    @Override
    public void close() {
        try {
            if (closeStream) {
                out.close();
            } else {
                out.flush();
            }
        } catch (IOException e) {
            throw failed(e);
        }
    }

    private ReplayException failed(IOException e) {
        return new ReplayException("cannot write the log " + name + ": " + e.getMessage(), e);
    }
}
