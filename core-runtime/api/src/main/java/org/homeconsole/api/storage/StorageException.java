package org.homeconsole.api.storage;

/** The database could not do what was asked; the message says what and where. */
public class StorageException extends RuntimeException {
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    public StorageException(String message) {
        super(message);
    }
}
