package org.homeconsole.api.storage;

import java.util.Optional;

/**
 * Creates a {@link StorageAdapter} for a database URL. Registered in
 * {@code META-INF/services/org.homeconsole.api.storage.StorageAdapterFactory}.
 */
public interface StorageAdapterFactory {

    /** An adapter for this URL (e.g. {@code jdbc:sqlite:...}, {@code jdbc:postgresql:...}), or empty when the URL is not for this factory. */
    Optional<StorageAdapter> create(String url);
}
