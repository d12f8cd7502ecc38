package org.homeconsole.connector.kafka.broker.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Picks free ports and checks fixed ones before the broker tries to bind them. */
public final class BrokerPorts {

    private BrokerPorts() {
    }

    /**
     * Returns {@code port} when it can be bound on {@code host}, or a free port when it is 0.
     *
     * <p>Checking here gives a message that names the port; Kafka's own bind failure surfaces deep
     * inside its start-up and leaves half-started threads behind.
     *
     * @throws IllegalStateException naming the port when it is taken
     */
    public static int claim(String host, int port, String purpose) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(host, port));
            return socket.getLocalPort();
        } catch (IOException e) {
            if (port == 0) {
                throw new IllegalStateException("No free port for the " + purpose + " on " + host + ": " + e.getMessage(), e);
            }
            throw new IllegalStateException("Port " + port + " on " + host + " for the " + purpose
                    + " is already in use (" + e.getMessage() + "); choose another port or 0 for a free one", e);
        }
    }
}
