package io.sbulb.xdp.bpf;

import com.sun.jna.ptr.IntByReference;
import java.util.Arrays;
import java.util.function.BiConsumer;

/**
 * A live map of a loaded {@link BpfObject}, addressed by fd. Keys and values are raw bytes laid
 * out as the ABI header says. The fd belongs to the object: closing the object closes it.
 *
 * <p>Lookups from user space do not touch an LRU map's recency (docs/kernel-lru.md §2.3);
 * updates from user space behave like program updates on the calling CPU.
 */
public final class BpfMap {

    private static final int ENOENT = 2;
    private static final int ENOSPC = 28;
    private static final int EEXIST = 17;
    private static final int BATCH = 4096;

    /** BPF_ANY / BPF_NOEXIST / BPF_EXIST. */
    public enum UpdateFlag {
        ANY(0), NOEXIST(1), EXIST(2);

        final long bits;

        UpdateFlag(long bits) {
            this.bits = bits;
        }
    }

    private final MapDescription description;
    private final int fd;
    private final int possibleCpus;

    BpfMap(MapDescription description, int fd, int possibleCpus) {
        this.description = description;
        this.fd = fd;
        this.possibleCpus = possibleCpus;
    }

    /**
     * The map pinned at {@code path}, held open by {@code holder} (close it when done): for
     * reading the state another program left, before or without loading one.
     *
     * @param description what the map is expected to be (name, type, sizes)
     */
    public static BpfMap pinned(BpfFd holder, MapDescription description, int possibleCpus) {
        return new BpfMap(description, holder.fd(), possibleCpus);
    }

    /** The CPUs the kernel may run (libbpf's count): the slots of a per-CPU map's value. */
    public static int systemPossibleCpus() {
        int cpus = LibBpf.libbpf_num_possible_cpus();
        if (cpus <= 0) {
            throw new BpfException("count possible CPUs", -cpus);
        }
        return cpus;
    }

    /** The map behind {@code holder}, described as the kernel describes it (type, sizes, entries, name). */
    public static BpfMap of(BpfFd holder, int possibleCpus) {
        return new BpfMap(BpfFd.mapInfo(holder.fd()), holder.fd(), possibleCpus);
    }

    public String name() {
        return description.name();
    }

    public MapDescription description() {
        return description;
    }

    public int fd() {
        return fd;
    }

    /** Bytes of a value buffer: the value size, or for per-CPU maps 8-byte-aligned slots for every possible CPU. */
    public int valueBufferSize() {
        if (description.perCpu()) {
            return ((description.valueSize() + 7) & ~7) * possibleCpus;
        }
        return description.valueSize();
    }

    /** Per-CPU maps: the stride between CPU slots in a value buffer. */
    public int perCpuStride() {
        return (description.valueSize() + 7) & ~7;
    }

    public int possibleCpus() {
        return possibleCpus;
    }

    /** The value of {@code key}, or null if absent. */
    public byte[] lookup(byte[] key) {
        checkKey(key);
        byte[] value = new byte[valueBufferSize()];
        int rc = LibBpf.bpf_map_lookup_elem(fd, key, value);
        if (rc == -ENOENT) {
            return null;
        }
        if (rc != 0) {
            throw new BpfException("look up in map " + name(), -rc);
        }
        return value;
    }

    public void update(byte[] key, byte[] value, UpdateFlag flag) {
        checkKey(key);
        if (value.length != valueBufferSize()) {
            throw new IllegalArgumentException("value for map " + name() + " has " + value.length
                    + " bytes, expected " + valueBufferSize());
        }
        int rc = LibBpf.bpf_map_update_elem(fd, key, value, flag.bits);
        if (rc != 0) {
            throw new BpfException("update map " + name(), -rc);
        }
    }

    /**
     * Inserts {@code key} unless it is there (BPF_NOEXIST); false when it was, with no exception
     * (a migration's second pass meets a million of those).
     */
    public boolean insertIfAbsent(byte[] key, byte[] value) {
        checkKey(key);
        int rc = LibBpf.bpf_map_update_elem(fd, key, value, UpdateFlag.NOEXIST.bits);
        if (rc == -EEXIST) {
            return false;
        }
        if (rc != 0) {
            throw new BpfException("insert into map " + name(), -rc);
        }
        return true;
    }

    /** Deletes {@code key}; false if it was absent. */
    public boolean delete(byte[] key) {
        checkKey(key);
        int rc = LibBpf.bpf_map_delete_elem(fd, key);
        if (rc == -ENOENT) {
            return false;
        }
        if (rc != 0) {
            throw new BpfException("delete from map " + name(), -rc);
        }
        return true;
    }

    /**
     * Visits every entry with {@code BPF_MAP_LOOKUP_BATCH} (a few syscalls for the whole map,
     * no effect on LRU recency). Entries are copies.
     */
    public void forEach(BiConsumer<byte[], byte[]> visitor) {
        int ks = description.keySize();
        int vs = valueBufferSize();
        batches((keys, values, n) -> {
            for (int i = 0; i < n; i++) {
                visitor.accept(Arrays.copyOfRange(keys, i * ks, (i + 1) * ks),
                        Arrays.copyOfRange(values, i * vs, (i + 1) * vs));
            }
        });
    }

    /** The number of entries, counted with batch lookups and nothing kept (a million in a fraction of a second). */
    public long count() {
        long[] total = {0};
        batches((keys, values, n) -> total[0] += n);
        return total[0];
    }

    /** One batch of a lookup: {@code n} keys and values side by side in the buffers. */
    @FunctionalInterface
    private interface Batch {
        void accept(byte[] keys, byte[] values, int n);
    }

    /** The map's entries, a batch at a time (the buffers are reused from one batch to the next). */
    private void batches(Batch batch) {
        int ks = description.keySize();
        int vs = valueBufferSize();
        int chunk = Math.min(BATCH, Math.max(1, description.maxEntries()));
        byte[] keys = new byte[ks * chunk];
        byte[] values = new byte[vs * chunk];
        byte[] inBatch = null;
        byte[] outBatch = new byte[Math.max(8, ks)];
        while (true) {
            IntByReference count = new IntByReference(chunk);
            int rc = LibBpf.bpf_map_lookup_batch(fd, inBatch, outBatch, keys, values, count, null);
            if (rc != 0 && rc != -ENOENT) {
                if (rc == -ENOSPC && chunk < description.maxEntries()) {
                    chunk = Math.min(description.maxEntries(), chunk * 2); // a bucket larger than the chunk
                    keys = new byte[ks * chunk];
                    values = new byte[vs * chunk];
                    continue;
                }
                throw new BpfException("batch lookup in map " + name(), -rc);
            }
            batch.accept(keys, values, count.getValue());
            if (rc == -ENOENT) {
                return;
            }
            inBatch = outBatch.clone();
        }
    }

    /** The kernel's id of this map (as bpftool shows it). */
    public int id() {
        return BpfFd.mapId(fd);
    }

    private void checkKey(byte[] key) {
        if (key.length != description.keySize()) {
            throw new IllegalArgumentException("key for map " + name() + " has " + key.length
                    + " bytes, expected " + description.keySize());
        }
    }
}
