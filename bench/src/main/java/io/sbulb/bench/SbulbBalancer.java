package io.sbulb.bench;

import io.sbulb.lab.Lab;
import io.sbulb.lab.LabException;
import io.sbulb.lab.NotifyListener;
import io.sbulb.lab.SbulbProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * sbulb as it runs in production: the real command, a process of its own in the load
 * balancer's namespace, attached to its veth in native XDP mode, told to the real servers with
 * {@code -rs} or a {@code -cfg} file. Start-up is timed to READY=1 (sd_notify), as systemd sees it.
 */
final class SbulbBalancer implements Balancer {

    private final Lab lab;
    private final Path workDir;
    private final List<String> servers;
    private SbulbProcess process;
    private ExitHook stopOnExit;
    private NotifyListener notify;
    private long readyNs;

    /**
     * @param servers sbulb's real-server options: {@code -rs A B C} or {@code -cfg FILE}
     */
    SbulbBalancer(Lab lab, Path workDir, List<String> servers) {
        this.lab = lab;
        this.workDir = workDir;
        this.servers = List.copyOf(servers);
    }

    /** {@code -rs} with every real server of the lab. */
    static List<String> allServers(Lab lab) {
        List<String> rs = new ArrayList<>(List.of("-rs"));
        for (int i = 1; i <= lab.realServerCount(); i++) {
            rs.add(lab.realServer(i).toString());
        }
        return rs;
    }

    @Override
    public String name() {
        return "sbulb";
    }

    @Override
    public String description() {
        return "sbulb (this build), native XDP on the balancer's veth, -ma 1048576 (default)";
    }

    @Override
    public void start() {
        List<String> args = new ArrayList<>(List.of(Lab.LB_INTERFACE, "-vs", Lab.VIP.toString()));
        args.addAll(servers);
        args.addAll(List.of("-p", Integer.toString(PORT)));
        notify = new NotifyListener(workDir.resolve("notify-" + System.nanoTime() + ".sock"));
        long start = System.nanoTime();
        process = SbulbProcess.start(lab.lbNetns(), args, notify.address(), workDir);
        stopOnExit = ExitHook.register("stop-sbulb", process::close); // the benchmark interrupted: SIGTERM, detach
        if (notify.await(m -> m.contains("READY=1"), Duration.ofSeconds(60)).isEmpty()) {
            String what = process.toString();
            close();
            throw new LabException("sbulb did not report READY=1 within 60 s:\n" + what);
        }
        readyNs = System.nanoTime() - start;
    }

    /** From starting the process (JVM start included) to its READY=1, ns. */
    long readyNs() {
        return readyNs;
    }

    long pid() {
        return process.pid();
    }

    /** The id of the XDP program attached, as {@code ip link} reports it. */
    int programId() {
        return Lab.xdpOn(lab.lbNetns(), Lab.LB_INTERFACE)
                .orElseThrow(() -> new LabException("no XDP program on " + Lab.LB_INTERFACE + ":\n" + process))
                .id();
    }

    @Override
    public List<Long> userTasks() {
        return List.of(); // sbulb's JVM does no per-packet work: the XDP program runs in the NAPI thread
    }

    @Override
    public void close() {
        if (stopOnExit != null) {
            stopOnExit.close();
            stopOnExit = null;
        }
        if (process != null) {
            OptionalInt status = process.terminate(Duration.ofSeconds(15));
            String what = process.toString();
            process.close();
            process = null;
            if (status.isEmpty() || status.getAsInt() != 0) {
                throw new LabException("sbulb did not stop cleanly on SIGTERM (" + status + "):\n" + what);
            }
        }
        if (notify != null) {
            notify.close();
            notify = null;
        }
    }
}
