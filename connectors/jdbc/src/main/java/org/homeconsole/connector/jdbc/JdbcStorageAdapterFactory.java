package org.homeconsole.connector.jdbc;

import java.util.Optional;
import org.homeconsole.api.storage.StorageAdapter;
import org.homeconsole.api.storage.StorageAdapterFactory;

/**
 * Creates a {@link JdbcStorageAdapter} for {@code jdbc:sqlite:<path>} and {@code jdbc:postgresql://...} URLs;
 * empty for any other URL. Found with {@link java.util.ServiceLoader}.
 */
public final class JdbcStorageAdapterFactory implements StorageAdapterFactory {

    /** Needed by {@link java.util.ServiceLoader}. */
    public JdbcStorageAdapterFactory() {}

    /** @throws IllegalArgumentException when the URL is for this factory but malformed */
    @Override
    public Optional<StorageAdapter> create(String url) {
        return JdbcStorageAdapter.supports(url) ? Optional.of(new JdbcStorageAdapter(url)) : Optional.empty();
    }
}
