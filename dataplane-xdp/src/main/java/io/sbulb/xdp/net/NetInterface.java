package io.sbulb.xdp.net;

import io.sbulb.api.ConfigException;
import io.sbulb.api.host.HostFacts;
import io.sbulb.xdp.bpf.BpfException;
import io.sbulb.xdp.bpf.LibC;
import java.nio.charset.StandardCharsets;

/**
 * A network interface as the kernel names it: its name, its index, and the network namespace
 * in which that index means this interface. The same index (1 is always {@code lo}) names
 * another interface in another namespace, so whoever attaches to it checks it runs in
 * {@link #netns()} ({@link #checkCurrentNetns}).
 *
 * @param netns the namespace, as {@code /proc/thread-self/ns/net} names it: "net:[4026531840]"
 */
public record NetInterface(String name, int index, String netns) {

    /** IFNAMSIZ - 1: the longest name the kernel accepts, in bytes. */
    public static final int MAX_NAME_BYTES = 15;
    private static final int ENODEV = 19;
    private static final String THREAD_NETNS = "/proc/thread-self/ns/net";

    public NetInterface {
        checkName(name);
        if (index <= 0) {
            throw new IllegalArgumentException("interface index " + index + " of '" + name + "' is not positive");
        }
        if (netns == null || netns.isEmpty()) {
            throw new IllegalArgumentException("interface '" + name + "' needs its network namespace");
        }
    }

    /**
     * The interface named {@code name} in the calling thread's network namespace.
     *
     * @throws ConfigException when the name is not a valid interface name or no interface has it
     */
    public static NetInterface byName(String name) {
        checkName(name);
        String ns = currentNetns();
        int index = LibC.interfaceIndex(name);
        if (index == -ENODEV) {
            throw new ConfigException("no network interface '" + name + "' here (ip link lists them)");
        }
        if (index < 0) {
            throw new BpfException("look up network interface '" + name + "' (if_nametoindex)", -index);
        }
        return new NetInterface(name, index, ns);
    }

    /**
     * The calling thread's network namespace, e.g. "net:[4026531840]".
     *
     * @throws HostFacts.MissingFact naming {@value #THREAD_NETNS} when it cannot be read (no /proc)
     */
    public static String currentNetns() {
        return HostFacts.SYSTEM.readLink(THREAD_NETNS);
    }

    /**
     * Throws unless the calling thread is in this interface's namespace, where {@link #index()}
     * means this interface.
     *
     * @param doing what the caller is about to do, e.g. "attach XDP program 12 to"
     */
    public void checkCurrentNetns(String doing) {
        String here = currentNetns();
        if (!here.equals(netns)) {
            throw new IllegalStateException("cannot " + doing + " " + name + " (index " + index + ") from network "
                    + "namespace " + here + ": it was looked up in " + netns + "; run in that namespace");
        }
    }

    /** The kernel's rule (dev_valid_name): 1 to 15 bytes, not "." or "..", no '/', ':' or whitespace. */
    private static void checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new ConfigException("empty network interface name");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAME_BYTES) {
            throw new ConfigException("network interface name '" + name + "' has " + bytes + " bytes, at most "
                    + MAX_NAME_BYTES + " allowed (IFNAMSIZ-1)");
        }
        if (name.equals(".") || name.equals("..")) {
            throw new ConfigException("'" + name + "' is not a network interface name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c) || c == 0) {
                throw new ConfigException("network interface name '" + name + "' contains "
                        + (c == '/' || c == ':' ? "'" + c + "'" : c == 0 ? "a NUL character" : "whitespace")
                        + ", which interface names cannot");
            }
        }
    }

    @Override
    public String toString() {
        return name + " (index " + index + ", " + netns + ")";
    }
}
