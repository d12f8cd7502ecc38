package org.homeconsole.api.storage;

/**
 * SPI for a database behind {@link Storage}. One table (or keyspace) holds every namespace.
 * Implementations are created by a {@link StorageAdapterFactory} found with {@link java.util.ServiceLoader}.
 *
 * <p>Every implementation passes the same contract test suite. {@link #start()} creates the table when
 * missing and fails with a {@link StorageException} naming the problem when the database is unreachable.
 */
public interface StorageAdapter extends Storage, AutoCloseable {

    /** A short name for logs and {@code /ready}, e.g. {@code sqlite:/data/homeconsole.db}. */
    String describe();

    void start();

    /** Whether the database answers now. */
    boolean isHealthy();

    @Override
    void close();
}
