package org.homeconsole.agent;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.homeconsole.agent.AgentOptions.UsageException;
import org.homeconsole.clientmanager.protocol.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Command-line entry of the reference agent ({@code homeconsole agent}): one real agent that runs commands on this
 * host, or with {@code --simulate N} a fleet of simulated agents for load tests. Options are in
 * {@link AgentOptions#USAGE} and {@code docs/agent-protocol.md} §13.
 *
 * <p>Exit codes: 0 after SIGTERM/SIGINT (the socket is closed first), 2 bad arguments, 3 token refused (HTTP 401)
 * or revoked, 4 replaced by another instance with the same agent id, 5 unsupported protocol version.
 */
public final class AgentMain {

    static {
        // The agent's own log configuration unless one is given: the agent jar may share a classpath with the
        // platform's log4j2.xml. Set before the first logger exists.
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "log4j2-agent.xml");
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(AgentMain.class);
    private static final long SHUTDOWN_GRACE_MS = 3_000;

    private AgentMain() {
    }

    public static void main(String[] args) {
        AgentOptions options;
        try {
            options = AgentOptions.parse(args, hostname());
        } catch (UsageException e) {
            // the command line talks to its user here, not to the log
            System.err.println("homeconsole agent: " + e.getMessage());
            System.err.println("Try 'homeconsole agent --help'.");
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.print(AgentOptions.USAGE);
            return;
        }
        System.exit(run(options));
    }

    /** Runs until the agent(s) stop; returns the exit code. SIGTERM is handled by a shutdown hook that exits 0. */
    static int run(AgentOptions options) {
        boolean simulated = options.simulate() > 0;
        VertxOptions vertxOptions = new VertxOptions().setWorkerPoolSize(2).setInternalBlockingPoolSize(2);
        if (!simulated) {
            vertxOptions.setEventLoopPoolSize(1);
        }
        Vertx vertx = Vertx.vertx(vertxOptions);
        Future<Integer> stopped;
        Runnable shutdown;
        if (simulated) {
            SimulatedFleet fleet = SimulatedFleet.start(vertx, options.urls(), options.credentials(), options.labels(),
                    SimulatedFleet.Options.defaults());
            long status = vertx.setPeriodic(10_000, id -> LOG.info("{}/{} simulated agents connected", fleet.connectedCount(), fleet.size()));
            stopped = fleet.stopped();
            shutdown = () -> {
                vertx.cancelTimer(status);
                fleet.close();
            };
            LOG.info("Starting {} simulated agents against {}", fleet.size(), options.urls());
        } else {
            Credentials me = options.credentials().get(0);
            AgentGroup group = new AgentGroup(vertx, new AgentGroup.Settings(options.urls(), options.labels(), hostname(),
                    System.getProperty("os.name"), System.getProperty("os.arch"), version(), List.of(Protocol.CAP_EXEC), false));
            AgentConnection connection = new AgentConnection(group, me.agentId(), me.token(), new CommandRunner(options.maxConcurrent()));
            stopped = connection.stopped().map(StopReason::exitCode);
            shutdown = () -> {
                await(connection.shutdown(SHUTDOWN_GRACE_MS), SHUTDOWN_GRACE_MS + 2_000);
                await(group.close(), 2_000);
            };
            LOG.info("Home Console agent {} ({}) connecting to {}", me.agentId(), version(), options.urls());
            connection.start();
        }
        Thread hook = new Thread(() -> {
            LOG.info("Stopping: closing the connection");
            shutdown.run();
            await(vertx.close(), 2_000);
            LOG.info("Stopped");
            Runtime.getRuntime().halt(0); // a signal would otherwise exit with 128+signal
        }, "agent-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        int code = await(stopped, Long.MAX_VALUE);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shutdownInProgress) {
            parkForever(); // the hook owns the exit
        }
        shutdown.run();
        await(vertx.close(), 2_000);
        return code;
    }

    /** The agent's version, from the jar manifest; "dev" when run from classes. */
    static String version() {
        String version = AgentMain.class.getPackage().getImplementationVersion();
        return version != null ? version : "dev";
    }

    static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String env = System.getenv("HOSTNAME");
            return env != null ? env : System.getenv("COMPUTERNAME");
        }
    }

    private static <T> T await(Future<T> future, long timeoutMs) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("Not finished cleanly", e);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static void parkForever() {
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
