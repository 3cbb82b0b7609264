package io.sbulb.bench;

import io.sbulb.lab.Commands;
import io.sbulb.lab.Lab;
import io.sbulb.lab.LabException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * nginx's UDP stream proxy (Debian's nginx with libnginx-mod-stream) as a user-space balancer:
 * the VIP is an address of the balancer's namespace, one worker pinned to the balancer's core
 * receives each datagram and sends it on to a real server chosen round robin, one session per
 * client address and port (so a client keeps its server, as with sbulb), replies relayed back.
 */
final class NginxBalancer implements Balancer {

    /** Debian's libnginx-mod-stream, as an absolute path of the host ({@link Machine#path}). */
    static final String MODULE = "/usr/lib/nginx/modules/ngx_stream_module.so";

    private final Lab lab;
    private final Path workDir;
    private final int cpu;
    private Process master;
    private ExitHook stopOnExit;
    private long worker;
    private PassAttachment pass;
    private boolean vip;

    NginxBalancer(Lab lab, Path workDir, int cpu) {
        this.lab = lab;
        this.workDir = workDir.resolve("nginx");
        this.cpu = cpu;
    }

    @Override
    public String name() {
        return "nginx";
    }

    @Override
    public String description() {
        return Commands.run("nginx", "-v").strip().replace("nginx version: ", "") + ", stream proxy, 1 worker";
    }

    @Override
    public void start() {
        String ns = lab.lbNetns();
        Commands.run("ip", "-n", ns, "addr", "add", Lab.VIP + "/32", "dev", "lo");
        vip = true;
        pass = PassAttachment.attach(lab);
        StringBuilder upstream = new StringBuilder();
        for (int i = 1; i <= lab.realServerCount(); i++) {
            upstream.append("    server ").append(lab.realServer(i)).append(':').append(PORT).append(";\n");
        }
        String conf = "load_module " + Machine.HOST.path(MODULE) + ";\n"
                + "daemon off;\n"
                + "worker_processes 1;\n"
                + "worker_cpu_affinity 1" + "0".repeat(cpu) + ";\n"
                + "worker_rlimit_nofile 65536;\n"
                + "pid " + workDir.resolve("nginx.pid") + ";\n"
                + "error_log " + workDir.resolve("error.log") + " error;\n"
                + "events { worker_connections 32768; }\n"
                + "stream {\n"
                + "  upstream real_servers {\n" + upstream + "  }\n"
                + "  server {\n"
                // a burst of 64 frames, each charged a page (the generator's frames), needs more than the
                // default 208 KiB; the kernel caps this at net.core.rmem_max
                + "    listen " + Lab.VIP + ":" + PORT + " udp rcvbuf=4m;\n"
                + "    proxy_pass real_servers;\n"
                + "    proxy_timeout 120s;\n"
                + "  }\n"
                + "}\n";
        Path file = workDir.resolve("nginx.conf");
        try {
            Files.createDirectories(workDir);
            Files.writeString(file, conf);
            master = new ProcessBuilder("ip", "netns", "exec", ns, "nginx", "-c", file.toString(), "-p",
                    workDir.toString(), "-e", workDir.resolve("error.log").toString())
                    .redirectErrorStream(true).redirectOutput(workDir.resolve("nginx.out").toFile()).start();
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("start nginx with " + file, e);
        }
        stopOnExit = ExitHook.register("stop-nginx", master::destroyForcibly); // the benchmark interrupted
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Optional<ProcessHandle> w = Optional.empty();
        while (w.isEmpty() && System.nanoTime() < deadline && master.isAlive()) {
            w = master.toHandle().children().findFirst();
            Pause.ms(20);
        }
        if (w.isEmpty()) {
            String log = read(workDir.resolve("nginx.out")) + read(workDir.resolve("error.log"));
            close();
            throw new LabException("nginx started no worker within 10 s: " + log);
        }
        worker = w.get().pid();
        Pause.ms(200); // the worker opens its listening socket after it forks
    }

    @Override
    public List<Long> userTasks() {
        return List.of(worker);
    }

    @Override
    public void close() {
        if (master != null) {
            master.destroy(); // SIGTERM: nginx's fast shutdown
            try {
                if (!master.waitFor(10, TimeUnit.SECONDS)) {
                    master.destroyForcibly();
                    master.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            master = null;
        }
        if (stopOnExit != null) {
            stopOnExit.close();
            stopOnExit = null;
        }
        if (pass != null) {
            pass.close();
            pass = null;
        }
        if (vip) {
            Commands.run(List.of("ip", "-n", lab.lbNetns(), "addr", "del", Lab.VIP + "/32", "dev", "lo"), true);
            vip = false;
        }
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            return "";
        }
    }

}
