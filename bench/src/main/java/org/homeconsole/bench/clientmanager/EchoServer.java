package org.homeconsole.bench.clientmanager;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The baseline of {@link IdleAgentsBenchmark}: the plainest Vert.x WebSocket server, which sends every text frame
 * back. One {@link HttpServer} created from {@code main} with default options, on a default {@link Vertx} — the
 * way the node's client-manager server is created too (Camel's {@code VertxPlatformHttpServer}: one server, default
 * {@code VertxOptions}). Any other request (e.g. {@code GET /ready}) answers 200 {@code ok}. Runs until killed.
 *
 * <pre>java -Xms1g -Xmx1g -cp 'bench/target/classes:bench/target/lib/*' org.homeconsole.bench.clientmanager.EchoServer --port=20100</pre>
 */
public final class EchoServer {

    static final String USAGE = "options: [--host=127.0.0.1] [--port=20100]";

    private EchoServer() {
    }

    public static void main(String[] args) throws Exception {
        Args options = new Args(args, USAGE);
        String host = options.string("host", "127.0.0.1");
        int port = options.integer("port", 20_100);
        options.done();
        Vertx vertx = Vertx.vertx();
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port))
                .webSocketHandler(ws -> ws.textMessageHandler(ws::writeTextMessage))
                .requestHandler(request -> request.response().end("ok"));
        server.listen().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        System.out.println("Echo server listening on " + host + ":" + server.actualPort() + " (pid " + ProcessHandle.current().pid() + ")");
        new CountDownLatch(1).await();
    }
}
